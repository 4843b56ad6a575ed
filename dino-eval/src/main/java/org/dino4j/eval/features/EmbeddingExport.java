package org.dino4j.eval.features;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dino4j.core.io.AtomicFiles;

/**
 * Writes embeddings to disk.
 *
 * <ul>
 *   <li>CSV: header {@code label,f0,f1,...,f{D-1}}, then one line per row: the label, then D floats.</li>
 *   <li>NPY (NumPy format 1.0): features as {@code <f4} (float32 little-endian), C order, shape {@code (N, D)};
 *       labels as a second file with {@code <i4} (int32 little-endian), shape {@code (N,)}. The header is padded
 *       with spaces and ends with {@code \n} so that the data starts at a multiple of 64 bytes.</li>
 * </ul>
 */
public final class EmbeddingExport {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private EmbeddingExport() {
    }

    /** Writes {@code label,f0..f(D-1)} lines to {@code csv}. */
    public static void writeCsv(Embeddings e, Path csv) throws IOException {
        AtomicFiles.write(csv, os -> {
            BufferedWriter w = new BufferedWriter(new java.io.OutputStreamWriter(os, StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("label");
            for (int j = 0; j < e.dim(); j++) {
                sb.append(",f").append(j);
            }
            w.write(sb.append('\n').toString());
            for (int i = 0; i < e.size(); i++) {
                sb.setLength(0);
                sb.append(e.labels()[i]);
                for (float v : e.features()[i]) {
                    sb.append(',').append(v);
                }
                w.write(sb.append('\n').toString());
            }
            w.flush();
        });
    }

    /** Writes features as float32 {@code (N, D)} to {@code featuresNpy} and labels as int32 {@code (N,)} to {@code labelsNpy}. */
    public static void writeNpy(Embeddings e, Path featuresNpy, Path labelsNpy) throws IOException {
        int n = e.size();
        int d = e.dim();
        AtomicFiles.write(featuresNpy, os -> {
            writeHeader(os, "<f4", "(" + n + ", " + d + ")");
            ByteBuffer buf = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : e.features()) {
                buf.clear();
                for (float v : row) {
                    buf.putFloat(v);
                }
                os.write(buf.array(), 0, buf.position());
            }
        });
        AtomicFiles.write(labelsNpy, os -> {
            writeHeader(os, "<i4", "(" + n + ",)");
            ByteBuffer buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int l : e.labels()) {
                buf.putInt(l);
            }
            os.write(buf.array(), 0, buf.position());
        });
    }

    /**
     * Writes a float32 matrix {@code (N, D)} (C order) as NPY, without labels (atomically, as the other writers).
     *
     * @param rows N rows of D floats each
     * @param npy destination
     * @throws IOException when the file cannot be written
     * @throws IllegalArgumentException when there are no rows or the rows differ in length
     */
    public static void writeFeaturesNpy(float[][] rows, Path npy) throws IOException {
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows to write");
        }
        int d = rows[0].length;
        for (float[] row : rows) {
            if (row.length != d) {
                throw new IllegalArgumentException("rows differ in length: " + d + " and " + row.length);
            }
        }
        AtomicFiles.write(npy, os -> {
            writeHeader(os, "<f4", "(" + rows.length + ", " + d + ")");
            ByteBuffer buf = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : rows) {
                buf.clear();
                for (float v : row) {
                    buf.putFloat(v);
                }
                os.write(buf.array(), 0, buf.position());
            }
        });
    }

    private static void writeHeader(OutputStream os, String descr, String shape) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1; // + '\n'
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        os.write(MAGIC);
        int len = header.length();
        os.write(len & 0xff);
        os.write((len >>> 8) & 0xff);
        os.write(header.getBytes(StandardCharsets.US_ASCII));
    }
}
