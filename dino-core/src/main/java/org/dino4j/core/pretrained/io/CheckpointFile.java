package org.dino4j.core.pretrained.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * An open checkpoint file in one of the two formats DINO weights are published in, read without Python:
 *
 * <ul>
 *   <li><b>PyTorch</b> ({@code .pth}, {@code .pt}, {@code .bin}; {@code torch.save} since PyTorch 1.6): a zip
 *       archive {@code <name>/data.pkl} (a pickle, read by {@link Unpickler}) plus one entry
 *       {@code <name>/data/<key>} per tensor storage (raw little-endian). Tensors are pickled as
 *       {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)} with the storage as a persistent id
 *       {@code ('storage', torch.FloatStorage, key, location, numel)}; they become lazily read {@link TensorRef}s.
 *       The root is whatever was saved: a state dict, or a dict of them (DINO's training checkpoints:
 *       {@code teacher}, {@code student}, {@code optimizer}, {@code args}, …).</li>
 *   <li><b>safetensors</b>: an 8-byte little-endian header length, a JSON header
 *       {@code {name: {dtype, shape, data_offsets}, "__metadata__": {…}}} and the raw data; the root is the flat
 *       map of names to tensors.</li>
 * </ul>
 *
 * Tensors are read when asked for ({@link TensorRef#floats()}), so the file must stay open until then.
 */
public final class CheckpointFile implements Closeable {
    private static final long MAX_SAFETENSORS_HEADER = 100L << 20;

    private final Path path;
    private final Object root;
    private final Map<String, String> metadata;
    private final Closeable resource;
    private final String format;

    private CheckpointFile(Path path, Object root, Map<String, String> metadata, Closeable resource, String format) {
        this.path = path;
        this.root = root;
        this.metadata = metadata;
        this.resource = resource;
        this.format = format;
    }

    /**
     * Opens a PyTorch zip checkpoint or a safetensors file (the format is told by the first bytes, not the name).
     *
     * @param path the file
     * @return the open file
     * @throws IOException naming the file when it is missing, in neither format (e.g. the pre-1.6 PyTorch
     *         format), truncated or malformed
     */
    public static CheckpointFile open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such file");
        }
        byte[] head = new byte[8];
        int n;
        try (InputStream s = Files.newInputStream(path)) {
            n = s.readNBytes(head, 0, 8);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return openTorchZip(path);
        }
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2) {
            throw new IOException(path + ": a PyTorch file in the legacy (pre-1.6, non-zip) format is not supported;"
                    + " re-save it with torch.save from PyTorch >= 1.6");
        }
        if (n == 8) {
            long len = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (len > 1 && len < MAX_SAFETENSORS_HEADER && len + 8 <= Files.size(path)) {
                return openSafetensors(path, len);
            }
        }
        throw new IOException(path + ": neither a PyTorch zip checkpoint (.pth) nor a safetensors file");
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /** @return {@code "pytorch"} or {@code "safetensors"} */
    public String format() {
        return format;
    }

    /**
     * @return the saved object: for safetensors a {@code Map<String, TensorRef>}; for PyTorch the unpickled value
     *         (maps, lists, {@link Py.Tuple}, {@link TensorRef}, {@link Py.Obj}, numbers, strings)
     */
    public Object root() {
        return root;
    }

    /** @return safetensors {@code __metadata__} (empty for PyTorch files) */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public void close() throws IOException {
        resource.close();
    }

    // ------------------------------------------------------------------------------------------------ PyTorch

    private static CheckpointFile openTorchZip(Path path) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (IOException e) {
            throw new IOException(path + ": unreadable zip archive (" + e.getMessage() + ")", e);
        }
        try {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) {
                throw new IOException(path + ": zip archive without <name>/data.pkl: not a PyTorch checkpoint");
            }
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null) {
                String bo = new String(zip.getInputStream(order).readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (!bo.equals("little")) {
                    throw new IOException(path + ": tensors stored in " + bo + "-endian order are not supported");
                }
            }
            byte[] pkl = zip.getInputStream(zip.getEntry(prefix + "data.pkl")).readAllBytes();
            final String dataDir = prefix + "data/";
            final ZipFile z = zip;
            Unpickler u = new Unpickler(pkl, TorchCalls::call, pid -> storage(z, dataDir, path, pid),
                    path + " (data.pkl)");
            Object root = u.load();
            return new CheckpointFile(path, root, Map.of(), zip, "pytorch");
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static Object storage(ZipFile zip, String dataDir, Path path, Object pid) {
        if (!(pid instanceof Py.Tuple t) || t.size() < 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof Py.Global type) || !(t.get(2) instanceof String key)) {
            throw new IllegalStateException("unexpected persistent id " + pid);
        }
        DType dtype = DType.ofTorchStorage(type.name());
        String entryName = dataDir + key;
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new IllegalStateException("storage entry " + entryName + " is missing");
        }
        TensorRef.Storage read = (off, len) -> {
            try (InputStream s = zip.getInputStream(entry)) {
                if (s.skip(off) != off) {
                    throw new IOException("storage " + entryName + " is shorter than " + off + " bytes");
                }
                byte[] b = s.readNBytes(len);
                if (b.length != len) {
                    throw new IOException("storage " + entryName + " is shorter than " + (off + len) + " bytes");
                }
                return ByteBuffer.wrap(b);
            }
        };
        return new TorchCalls.Storage(dtype, read, path + "!" + entryName);
    }

    // ------------------------------------------------------------------------------------------------ safetensors

    private static CheckpointFile openSafetensors(Path path, long headerLen) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = new ObjectMapper().readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IOException(path + ": safetensors header is not valid JSON (" + e.getMessage() + ")");
            }
            if (header == null || !header.isObject()) {
                throw new IOException(path + ": safetensors header is not a JSON object");
            }
            final long dataStart = 8 + headerLen;
            final long dataLen = ch.size() - dataStart;
            Map<String, TensorRef> tensors = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) header::fields) {
                String name = e.getKey();
                JsonNode v = e.getValue();
                if (name.equals("__metadata__")) {
                    v.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode off = v.get("data_offsets");
                JsonNode shp = v.get("shape");
                JsonNode dt = v.get("dtype");
                if (off == null || off.size() != 2 || shp == null || !shp.isArray() || dt == null) {
                    throw new IOException(path + ": safetensors entry '" + name + "' lacks dtype, shape or data_offsets");
                }
                DType dtype = DType.ofSafetensors(dt.asText());
                long[] shape = new long[shp.size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shp.get(i).asLong();
                    numel *= shape[i];
                }
                long a = off.get(0).asLong();
                long b = off.get(1).asLong();
                if (a < 0 || b < a || b > dataLen || b - a != numel * dtype.bytes()) {
                    throw new IOException(path + ": safetensors entry '" + name + "' has data_offsets [" + a + ", " + b
                            + "] that do not fit its shape " + java.util.Arrays.toString(shape) + " " + dtype
                            + " or the file's " + dataLen + " data bytes");
                }
                TensorRef.Storage read = (o, len) -> {
                    ByteBuffer buf = ByteBuffer.allocate(len);
                    readFully(ch, buf, dataStart + a + o);
                    return buf;
                };
                tensors.put(name, new TensorRef(dtype, shape, TensorRef.contiguousStrides(shape), 0, read,
                        path + "!" + name));
            }
            return new CheckpointFile(path, Collections.unmodifiableMap(tensors), Map.copyOf(meta), ch, "safetensors");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            int r = ch.read(b, p);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + p);
            }
            p += r;
        }
        b.flip();
    }

    /**
     * Lists the tensors of a state dict-like map (keys in file order).
     *
     * @param m a map from the file
     * @return the entries whose values are tensors, with string keys
     */
    public static Map<String, TensorRef> tensorsOf(Map<?, ?> m) {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof TensorRef t) {
                out.put(k, t);
            }
        }
        return out;
    }

    /** @return the names of an object's dict-like entries, for messages */
    static List<String> keysOf(Map<?, ?> m) {
        return m.keySet().stream().map(String::valueOf).toList();
    }
}
