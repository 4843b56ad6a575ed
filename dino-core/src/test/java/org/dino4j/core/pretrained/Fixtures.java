package org.dino4j.core.pretrained;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dino4j.core.pretrained.io.CheckpointFile;
import org.dino4j.core.pretrained.io.Tensor;
import org.dino4j.core.pretrained.io.TensorRef;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The PyTorch fixtures written by {@code src/test/python/pretrained_reference.py fixtures DIR}: the checked-in ones
 * under {@code src/test/resources/pretrained}, plus, when the system property {@code dino4j.pretrained.fixtures}
 * names a folder (CI regenerates them there when torch is installed), that folder too.
 */
final class Fixtures {
    /** The second test resolution (top-left crop of the 224x224 inputs). */
    static final int H2 = 168;
    static final int W2 = 216;
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    final Path dir;
    private final Map<String, TensorRef> expected;
    private final CheckpointFile file;

    private Fixtures(Path dir) throws IOException {
        this.dir = dir;
        this.file = CheckpointFile.open(dir.resolve("expected.safetensors"));
        @SuppressWarnings("unchecked")
        Map<String, TensorRef> m = (Map<String, TensorRef>) file.root();
        this.expected = m;
    }

    /** @return the checked-in fixtures and, if configured, freshly generated ones */
    static List<Fixtures> all() {
        List<Fixtures> out = new ArrayList<>();
        try {
            out.add(new Fixtures(Path.of(Fixtures.class.getResource("/pretrained/expected.safetensors").toURI()).getParent()));
            String extra = System.getProperty("dino4j.pretrained.fixtures");
            if (extra != null && !extra.isBlank() && Files.isRegularFile(Path.of(extra, "expected.safetensors"))) {
                out.add(new Fixtures(Path.of(extra)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static Fixtures checkedIn() {
        return all().get(0);
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    Tensor expected(String key) {
        TensorRef t = expected.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no expected tensor " + key + " in " + dir);
        }
        return Tensor.of(t);
    }

    /** Inputs [2, 3, h, w] (top-left crop of the stored 224x224 bytes), normalised as torchvision does in float32. */
    INDArray inputs(int h, int w) {
        TensorRef u8 = expected.get("inputs_u8");
        double[] v = u8.doubles();
        float[] x = new float[2 * 3 * h * w];
        int i = 0;
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        float u = (float) v[((b * 3 + c) * 224 + y) * 224 + xx];
                        x[i++] = (u / 255f - MEAN[c]) / STD[c];
                    }
                }
            }
        }
        return Nd4j.createFromArray(x).reshape('c', 2, 3, h, w);
    }

    /** Largest row-wise relative L2 difference ||a_r − e_r|| / ||e_r|| over the rows of [rows, n] data. */
    static double maxRowRelative(float[] actual, float[] expected, int n) {
        double worst = 0;
        for (int r = 0; r < expected.length / n; r++) {
            double num = 0;
            double den = 0;
            for (int k = 0; k < n; k++) {
                double d = actual[r * n + k] - expected[r * n + k];
                num += d * d;
                den += (double) expected[r * n + k] * expected[r * n + k];
            }
            worst = Math.max(worst, Math.sqrt(num / den));
        }
        return worst;
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
