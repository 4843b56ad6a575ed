package org.dino4j.eval.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeaturesTest {
    @TempDir
    Path tmp;

    /** A fixed "backbone": per image, the sum and the max of each channel → D = 2C. */
    private static final Function<INDArray, INDArray> BACKBONE = images -> {
        long b = images.size(0);
        long c = images.size(1);
        INDArray flat = images.reshape(b, c, -1);
        return Nd4j.concat(1, flat.sum(2), flat.max(2));
    };

    private static float[][][][] randomImages(Random r, int b) {
        float[][][][] x = new float[b][2][3][3];
        for (float[][][] img : x) {
            for (float[][] ch : img) {
                for (float[] row : ch) {
                    for (int k = 0; k < row.length; k++) {
                        row[k] = r.nextFloat();
                    }
                }
            }
        }
        return x;
    }

    @Test
    void extractsBatchesInOrderAndNormalises() {
        Random r = new Random(1);
        float[][][][] a = randomImages(r, 3);
        float[][][][] b = randomImages(r, 2);
        List<LabeledBatch> batches = List.of(new LabeledBatch(Nd4j.create(a), new int[] {0, 1, 2}),
                new LabeledBatch(Nd4j.create(b), new int[] {1, 1}));
        Embeddings e = Features.extract(BACKBONE, batches.iterator(), true);
        assertEquals(5, e.size());
        assertEquals(4, e.dim());
        assertArrayEquals(new int[] {0, 1, 2, 1, 1}, e.labels());
        for (int i = 0; i < 5; i++) {
            float[][][] img = i < 3 ? a[i] : b[i - 3];
            double[] expect = new double[4];
            for (int ch = 0; ch < 2; ch++) {
                double s = 0;
                double m = Double.NEGATIVE_INFINITY;
                for (float[] row : img[ch]) {
                    for (float v : row) {
                        s += v;
                        m = Math.max(m, v);
                    }
                }
                expect[ch] = s;
                expect[2 + ch] = m;
            }
            double norm = Math.sqrt(expect[0] * expect[0] + expect[1] * expect[1] + expect[2] * expect[2]
                    + expect[3] * expect[3]);
            for (int j = 0; j < 4; j++) {
                assertEquals(expect[j] / norm, e.features()[i][j], 1e-6, "row " + i);
            }
        }
        Embeddings raw = Features.extract(BACKBONE, batches.iterator(), false);
        assertTrue(raw.features()[0][0] > 1.0f, "unnormalised sum of 9 pixels");
    }

    @Test
    void badBatchesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Features.extract(BACKBONE, List.<LabeledBatch>of().iterator(), true));
        assertTrue(e.getMessage().contains("batches is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new LabeledBatch(Nd4j.zeros(2, 1, 2, 2), null));
        assertTrue(e.getMessage().contains("labels are missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new LabeledBatch(Nd4j.zeros(2, 1, 2, 2), new int[] {0}));
        assertTrue(e.getMessage().contains("1 entries") && e.getMessage().contains("2 rows"), e.getMessage());
        Function<INDArray, INDArray> nan = x -> Nd4j.valueArrayOf(new long[] {x.size(0), 3}, Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> Features.extract(nan,
                List.of(new LabeledBatch(Nd4j.zeros(2, 1, 2, 2), new int[] {0, 1})).iterator(), true));
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("batch 0"), e.getMessage());
        Function<INDArray, INDArray> wrong = x -> Nd4j.zeros(1, 3);
        e = assertThrows(IllegalArgumentException.class, () -> Features.extract(wrong,
                List.of(new LabeledBatch(Nd4j.zeros(2, 1, 2, 2), new int[] {0, 1})).iterator(), true));
        assertTrue(e.getMessage().contains("[2, D]"), e.getMessage());
    }

    @Test
    void csvAndNpyRoundTrip() throws IOException {
        Random r = new Random(4);
        float[][] f = new float[5][3];
        for (float[] row : f) {
            for (int j = 0; j < 3; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        f[2][1] = -0.0f;
        f[3][0] = Float.MIN_VALUE;
        int[] labels = {3, 0, 2, 1, 70000};
        Embeddings e = new Embeddings(f, labels);
        Path csv = tmp.resolve("e.csv");
        EmbeddingExport.writeCsv(e, csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("label,f0,f1,f2", lines.get(0));
        assertEquals(6, lines.size());
        for (int i = 0; i < 5; i++) {
            String[] parts = lines.get(i + 1).split(",");
            assertEquals(labels[i], Integer.parseInt(parts[0]));
            for (int j = 0; j < 3; j++) {
                assertEquals(Float.floatToIntBits(f[i][j]), Float.floatToIntBits(Float.parseFloat(parts[j + 1])));
            }
        }
        Path fn = tmp.resolve("f.npy");
        Path ln = tmp.resolve("l.npy");
        EmbeddingExport.writeNpy(e, fn, ln);
        Npy fx = Npy.read(fn);
        assertEquals("<f4", fx.descr);
        assertArrayEquals(new int[] {5, 3}, fx.shape);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(Float.floatToIntBits(f[i][j]), Float.floatToIntBits(fx.data.getFloat()));
            }
        }
        assertEquals(0, fx.data.remaining());
        Npy lx = Npy.read(ln);
        assertEquals("<i4", lx.descr);
        assertArrayEquals(new int[] {5}, lx.shape);
        for (int l : labels) {
            assertEquals(l, lx.data.getInt());
        }
        assertEquals(0, lx.data.remaining());
    }

    /** An independent minimal reader of NumPy .npy v1.0 files, following the format spec. */
    static final class Npy {
        String descr;
        int[] shape;
        ByteBuffer data;

        static Npy read(Path p) throws IOException {
            byte[] all = Files.readAllBytes(p);
            assertEquals((byte) 0x93, all[0]);
            assertEquals("NUMPY", new String(all, 1, 5, StandardCharsets.US_ASCII));
            assertEquals(1, all[6]);
            assertEquals(0, all[7]);
            int hlen = (all[8] & 0xff) | ((all[9] & 0xff) << 8);
            assertEquals(0, (10 + hlen) % 64, "data aligned to 64 bytes");
            String header = new String(all, 10, hlen, StandardCharsets.US_ASCII);
            assertTrue(header.endsWith("\n"));
            Npy n = new Npy();
            Matcher d = Pattern.compile("'descr':\\s*'([^']+)'").matcher(header);
            assertTrue(d.find(), header);
            n.descr = d.group(1);
            assertTrue(header.matches("(?s).*'fortran_order':\\s*False.*"), header);
            Matcher s = Pattern.compile("'shape':\\s*\\(([^)]*)\\)").matcher(header);
            assertTrue(s.find(), header);
            n.shape = Pattern.compile(",").splitAsStream(s.group(1)).map(String::trim).filter(t -> !t.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
            n.data = ByteBuffer.wrap(all, 10 + hlen, all.length - 10 - hlen).slice().order(ByteOrder.LITTLE_ENDIAN);
            return n;
        }
    }
}
