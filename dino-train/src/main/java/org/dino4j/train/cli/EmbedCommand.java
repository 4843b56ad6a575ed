package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dino4j.core.io.AtomicFiles;
import org.dino4j.core.pretrained.ImagePreprocessing;
import org.dino4j.core.pretrained.PretrainedDino;
import org.dino4j.eval.features.EmbeddingExport;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.features.LabeledBatch;
import org.dino4j.train.pretrained.ImageFiles;
import org.dino4j.train.pretrained.PreprocessedBatches;
import org.dino4j.train.pretrained.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dino embed}: the features of every image under a folder from a pretrained DINO checkpoint (official hub
 * file, training checkpoint or Hugging Face safetensors), with the official evaluation preprocessing (resize 256,
 * center crop 224, ImageNet mean/std). The model is loaded once and batches are streamed (decoding one batch ahead
 * on a second thread). Output: {@code .npy} (float32 {@code [N, D]}, rows in sorted file order, the file list in
 * {@code <name>.files.txt} beside it) or {@code .csv} ({@code file,f0,…}); written with {@link AtomicFiles}, after all
 * images were embedded (a failure leaves no output).
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed every image under a folder with a pretrained DINO checkpoint (.pth/.safetensors).")
public final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "DINO checkpoint: official .pth, main_dino.py checkpoint.pth, or facebook/dino-* .safetensors.")
    Path weights;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of images (searched recursively).")
    Path images;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "emb.npy or emb.csv.")
    Path out;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "Compute threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--l2", description = "L2-normalise each embedding (as the paper's k-NN).")
    boolean l2;

    @Mixin
    WeightsOptions load = new WeightsOptions();

    @Override
    public Integer call() throws Exception {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean csv = name.endsWith(".csv");
        if (!csv && !name.endsWith(".npy")) {
            throw new IllegalArgumentException("--out must end in .npy or .csv, got " + out);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batch);
        }
        ImageFiles files = ImageFiles.scan(images);
        List<float[]> rows = new ArrayList<>();
        double seconds;
        double perSecond;
        String describe;
        try (PretrainedDino dino = load.load(weights, threads);
             PreprocessedBatches it = new PreprocessedBatches(
                     i -> ImagePreprocessing.evalTensor(ImageFiles.read(files.files().get(i))), files.labels(), batch, 3,
                     ImagePreprocessing.CROP, ImagePreprocessing.CROP)) {
            describe = dino.describe();
            System.err.println("dino embed: " + describe + " (" + weights + "), " + files.size() + " images");
            Progress progress = new Progress(System.err, files.size(), "images");
            while (it.hasNext()) {
                LabeledBatch b = it.next();
                float[][] f = dino.features(b.images()).toFloatMatrix();
                for (float[] r : f) {
                    if (l2) {
                        Features.normaliseInPlace(r);
                    }
                    rows.add(r);
                }
                progress.advance(f.length);
            }
            progress.finish();
            seconds = progress.seconds();
            perSecond = progress.perSecond();
        }
        float[][] features = rows.toArray(new float[0][]);
        Path target = out.toAbsolutePath();
        List<String> written = new ArrayList<>();
        if (csv) {
            AtomicFiles.write(target, os -> {
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
                StringBuilder sb = new StringBuilder("file");
                for (int j = 0; j < features[0].length; j++) {
                    sb.append(",f").append(j);
                }
                w.write(sb.append('\n').toString());
                for (int i = 0; i < features.length; i++) {
                    sb.setLength(0);
                    sb.append(csvField(files.relative(i)));
                    for (float v : features[i]) {
                        sb.append(',').append(v);
                    }
                    w.write(sb.append('\n').toString());
                }
                w.flush();
            });
            written.add(target.toString());
        } else {
            Path list = target.resolveSibling(name.substring(0, name.length() - 4) + ".files.txt");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                names.add(files.relative(i));
            }
            AtomicFiles.write(list, os -> os.write((String.join("\n", names) + "\n").getBytes(StandardCharsets.UTF_8)));
            EmbeddingExport.writeFeaturesNpy(features, target);
            written.add(target.toString());
            written.add(list.toString());
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("files", written);
        summary.put("model", describe);
        summary.put("images", features.length);
        summary.put("dim", features[0].length);
        summary.put("seconds", Math.round(seconds * 1000) / 1000.0);
        summary.put("images_per_s", Math.round(perSecond * 100) / 100.0);
        System.out.println(new ObjectMapper().writeValueAsString(summary));
        return 0;
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
