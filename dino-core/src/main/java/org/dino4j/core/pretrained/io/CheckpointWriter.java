package org.dino4j.core.pretrained.io;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.dino4j.core.io.AtomicFiles;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Writes a flat state dict (names → float32 tensors) in the two formats {@link CheckpointFile} reads, loadable by
 * PyTorch's {@code torch.load} (also with {@code weights_only=True}: only {@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2} and {@code torch.FloatStorage} are referenced) and by any safetensors
 * reader. Files are written with {@link AtomicFiles} (temporary sibling, forced to disk, renamed), so a failed write
 * leaves nothing behind.
 */
public final class CheckpointWriter {
    private CheckpointWriter() {
    }

    /**
     * Writes a safetensors file: u64 header length, JSON header (8-byte padded), tensors in the map's order.
     *
     * @param tensors names → tensors (iteration order kept)
     * @param metadata string metadata ({@code __metadata__}), may be empty
     * @param file destination
     * @throws IOException when the file cannot be written
     */
    public static void writeSafetensors(Map<String, Tensor> tensors, Map<String, String> metadata, Path file)
            throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long off = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long s : e.getValue().shape()) {
                shape.add(s);
            }
            long len = 4L * e.getValue().size();
            t.putArray("data_offsets").add(off).add(off + len);
            off += len;
        }
        byte[] h = om.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        writeAtomically(file, os -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length + pad);
            os.write(len.array());
            os.write(h);
            os.write(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII));
            for (Tensor t : tensors.values()) {
                os.write(littleEndian(t.data()));
            }
        });
    }

    /**
     * Writes a PyTorch zip checkpoint ({@code torch.save} layout, pickle protocol 2) holding one
     * {@code collections.OrderedDict} of float32 tensors, each in its own 64-byte-aligned storage entry.
     *
     * @param tensors names → tensors (iteration order kept)
     * @param file destination
     * @throws IOException when the file cannot be written
     */
    public static void writePytorch(Map<String, Tensor> tensors, Path file) throws IOException {
        String archive = "archive/";
        byte[] pkl = pickle(tensors);
        writeAtomically(file, raw -> {
            Counting counting = new Counting(raw);
            try (ZipOutputStream zip = new ZipOutputStream(counting)) {
                stored(zip, counting, archive + "data.pkl", pkl);
                stored(zip, counting, archive + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
                int key = 0;
                for (Tensor t : tensors.values()) {
                    stored(zip, counting, archive + "data/" + key++, littleEndian(t.data()));
                }
                stored(zip, counting, archive + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
            }
        });
    }

    /** The data.pkl of {@link #writePytorch}: OrderedDict of _rebuild_tensor_v2 calls on persistent storages. */
    static byte[] pickle(Map<String, Tensor> tensors) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2); // PROTO 2
        global(p, "collections", "OrderedDict");
        p.write(')'); // EMPTY_TUPLE
        p.write('R');
        p.write('('); // MARK for SETITEMS
        int key = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            unicode(p, e.getKey());
            global(p, "torch._utils", "_rebuild_tensor_v2");
            p.write('('); // args
            p.write('(');
            unicode(p, "storage");
            global(p, "torch", "FloatStorage");
            unicode(p, Integer.toString(key++));
            unicode(p, "cpu");
            integer(p, t.size());
            p.write('t');
            p.write('Q'); // BINPERSID
            integer(p, 0); // storage offset
            p.write('(');
            for (long s : t.shape()) {
                integer(p, s);
            }
            p.write('t');
            p.write('(');
            for (long s : TensorRef.contiguousStrides(t.shape())) {
                integer(p, s);
            }
            p.write('t');
            p.write(0x89); // requires_grad False
            global(p, "collections", "OrderedDict");
            p.write(')');
            p.write('R'); // backward hooks: empty OrderedDict
            p.write('t');
            p.write('R');
        }
        p.write('u'); // SETITEMS
        p.write('.');
        return p.toByteArray();
    }

    private static void global(ByteArrayOutputStream p, String module, String name) {
        p.write('c');
        p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        p.writeBytes(b);
    }

    private static void integer(ByteArrayOutputStream p, long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            p.write('J');
            p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            p.write(0x8a); // LONG1, 8 bytes little-endian two's complement
            p.write(8);
            p.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }
    }

    private static byte[] littleEndian(float[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return b.array();
    }

    /** A STORED entry whose data starts at a multiple of 64 bytes (padding in an extra field, as torch.save). */
    private static void stored(ZipOutputStream zip, Counting counting, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTimeLocal(java.time.LocalDateTime.of(2000, 1, 1, 0, 0)); // in the DOS range: no extra time field
        int nameLen = name.getBytes(StandardCharsets.UTF_8).length;
        long start = counting.count + 30 + nameLen + 4;
        int pad = (int) ((64 - start % 64) % 64);
        byte[] extra = new byte[4 + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >>> 8);
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * Counts the bytes written (the zip stream's position) to align entry data; closing it only flushes (the
     * underlying stream belongs to {@link AtomicFiles}, which forces and closes it).
     */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** Writes through a callback. */
    @FunctionalInterface
    private interface Body {
        void write(OutputStream os) throws IOException;
    }

    private static void writeAtomically(Path file, Body body) throws IOException {
        AtomicFiles.write(file, body::write);
    }
}
