package org.dino4j.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.pretrained.ImagePreprocessing;
import org.dino4j.core.pretrained.PretrainedDino;
import org.dino4j.core.pretrained.PretrainedVit;
import org.dino4j.train.run.RuntimeOverrides;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference speed of an imported DINO checkpoint on fixed inputs, the dino4j half of
 * {@code dino-bench/pretrained-speed.sh} (the PyTorch half is {@code pretrained_reference.py speed}, on the same
 * weights file and the same uint8 images): the model is loaded once, one warm-up batch, then {@code --batches}
 * timed forward passes of the same batch; prints JSON (seconds per batch, median, images/s, the largest row-wise
 * relative difference to PyTorch's features when given, and the time per phase of the ViT's forward pass).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp dino-bench/target/benchmarks.jar org.dino4j.bench.PretrainedSpeed \
 *     --weights W.pth --inputs inputs_u8.npy [--threads 2] [--batches 5] [--torch-features F.npy] [--profile]
 * </pre>
 */
public final class PretrainedSpeed {
    private PretrainedSpeed() {
    }

    /**
     * @param args see the class comment
     * @throws Exception on bad arguments or files
     */
    public static void main(String[] args) throws Exception {
        RuntimeOverrides.applyProcessWide();
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--profile")) {
                a.put("profile", "true");
            } else {
                a.put(args[i].replaceFirst("^--", ""), args[++i]);
            }
        }
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        int batches = Integer.parseInt(a.getOrDefault("batches", "5"));
        DinoRuntime.setThreads(threads);
        Npy in = Npy.read(Path.of(a.get("inputs")));
        int b = (int) in.shape[0];
        int h = (int) in.shape[2];
        int w = (int) in.shape[3];
        float[] x = new float[in.data.length];
        int hw = h * w;
        for (int i = 0; i < x.length; i++) {
            int c = (i / hw) % 3;
            x[i] = (in.data[i] / 255f - ImagePreprocessing.IMAGENET_MEAN[c]) / ImagePreprocessing.IMAGENET_STD[c];
        }
        INDArray batch = Nd4j.createFromArray(x).reshape('c', b, 3, h, w);
        Map<String, Object> out = new LinkedHashMap<>();
        try (PretrainedDino dino = PretrainedDino.load(Path.of(a.get("weights")))) {
            INDArray f = dino.features(batch); // warm-up
            boolean profile = a.containsKey("profile") && dino.backbone() instanceof PretrainedVit;
            if (profile) {
                ((PretrainedVit) dino.backbone()).setProfiling(true);
            }
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < batches; i++) {
                long t0 = System.nanoTime();
                f = dino.features(batch);
                times.add((System.nanoTime() - t0) / 1e9);
            }
            double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = sorted[sorted.length / 2];
            out.put("framework", "dino4j " + dino.describe());
            out.put("threads", threads);
            out.put("batch", b);
            out.put("batches", batches);
            out.put("seconds_per_batch", times);
            out.put("median_s", med);
            out.put("images_per_s", b / med);
            if (a.containsKey("torch-features")) {
                Npy t = Npy.read(Path.of(a.get("torch-features")));
                float[] mine = f.data().asFloat();
                int d = (int) t.shape[1];
                double worst = 0;
                for (int r = 0; r < t.shape[0]; r++) {
                    double num = 0;
                    double den = 0;
                    for (int k = 0; k < d; k++) {
                        double diff = mine[r * d + k] - t.data[r * d + k];
                        num += diff * diff;
                        den += (double) t.data[r * d + k] * t.data[r * d + k];
                    }
                    worst = Math.max(worst, Math.sqrt(num / den));
                }
                out.put("max_row_rel_diff_vs_torch", worst);
            }
            if (profile) {
                Map<String, String> ms = new LinkedHashMap<>();
                ((PretrainedVit) dino.backbone()).profile().forEach((k, v) ->
                        ms.put(k.name().toLowerCase(Locale.ROOT), String.format(Locale.ROOT, "%.1f", v / batches)));
                out.put("ms_per_batch_by_phase", ms);
            }
        }
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(out));
    }

    /** A little-endian NPY array of uint8 or float32, C order. */
    static final class Npy {
        long[] shape;
        float[] data;

        static Npy read(Path p) throws IOException {
            byte[] b = Files.readAllBytes(p);
            if (b.length < 10 || b[0] != (byte) 0x93 || b[1] != 'N') {
                throw new IOException(p + ": not an NPY file");
            }
            int major = b[6];
            int hl = major == 1 ? (b[8] & 0xff) | (b[9] & 0xff) << 8
                    : ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            int start = major == 1 ? 10 : 12;
            String header = new String(b, start, hl, StandardCharsets.US_ASCII);
            if (header.contains("'fortran_order': True")) {
                throw new IOException(p + ": Fortran order is not supported");
            }
            Matcher m = Pattern.compile("'shape': \\(([0-9, ]*)\\)").matcher(header);
            if (!m.find()) {
                throw new IOException(p + ": no shape in " + header);
            }
            Npy n = new Npy();
            n.shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToLong(Long::parseLong).toArray();
            long count = Arrays.stream(n.shape).reduce(1, (x, y) -> x * y);
            ByteBuffer data = ByteBuffer.wrap(b, start + hl, b.length - start - hl).order(ByteOrder.LITTLE_ENDIAN);
            n.data = new float[(int) count];
            if (header.contains("'|u1'")) {
                for (int i = 0; i < count; i++) {
                    n.data[i] = data.get() & 0xff;
                }
            } else if (header.contains("'<f4'")) {
                data.asFloatBuffer().get(n.data);
            } else {
                throw new IOException(p + ": only uint8 and float32 NPY are read, header " + header);
            }
            return n;
        }
    }
}
