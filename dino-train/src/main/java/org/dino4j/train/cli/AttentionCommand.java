package org.dino4j.train.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.transform.Normalization;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.vit.AttentionMaps;
import org.dino4j.core.model.vit.VisionTransformer;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DataConfig;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.run.RunDirectory;
import org.dino4j.train.run.RunModels;
import org.dino4j.train.run.Threads;
import org.dino4j.train.run.TrainData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dino attention}: the last ViT block's CLS→patch self-attention of each head, drawn over chosen held-out
 * images as PNG panels (image, then one overlay per head), as DINO's {@code visualize_attention.py}
 * (Caron et al. 2021, Fig. 1/3). With {@code --threshold t}, patches outside the smallest set holding a share t
 * of each head's attention mass are darkened. Output: {@code OUT/attention-<index>.png}; the written paths are
 * printed as JSON. With {@code --weights} (a pretrained DINO ViT) the images are files or folders, preprocessed as
 * the official script (resize to {@code --image-size}, ImageNet normalisation), output {@code OUT/<name>-attention.png}
 * ({@link PretrainedAttention}).
 */
@Command(name = "attention", mixinStandardHelpOptions = true,
        description = "Write the last ViT block's CLS attention per head over chosen images as PNG overlays.")
public final class AttentionCommand implements Callable<Integer> {

    /** Where the model comes from. */
    static final class Source {
        @Option(names = "--checkpoint", paramLabel = "RUN_DIR",
                description = "Run directory (its latest checkpoint) or a checkpoint .zip.")
        Path checkpoint;

        @Option(names = "--model", paramLabel = "FILE", description = {"A model file written by the Java API's DinoModel.save (no dino command writes one;",
                "for a run of dino train use --checkpoint RUN_DIR)."})
        Path model;

        @Option(names = "--weights", paramLabel = "FILE",
                description = "A pretrained DINO ViT checkpoint (.pth/.safetensors); --images are then image files or folders.")
        Path weights;
    }

    @Mixin
    WeightsOptions load = new WeightsOptions();

    @Option(names = "--image-size", paramLabel = "H[,W]", split = ",", defaultValue = "480",
            description = "With --weights: resize each image to HxW (bicubic) before the model, as visualize_attention.py "
                    + "(default ${DEFAULT-VALUE}); then cropped to a multiple of the patch size.")
    int[] imageSize;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--data", paramLabel = "SOURCE",
            description = "synthetic | idx:DIR | images:DIR (default: the run's data; required with --model).")
    String data;

    @Option(names = "--images", split = ",", paramLabel = "I",
            description = "Indices into the held-out images (default 0); with --weights: image files or folders.")
    String[] images = {"0"};

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: RUN_DIR/attention, also for a .zip in RUN_DIR/checkpoints; ./attention with --model).")
    Path out;

    @Option(names = "--threshold", paramLabel = "T",
            description = "Keep the patches holding this share of each head's attention mass, in (0, 1] (e.g. 0.6).")
    Double threshold;

    @Option(names = "--scale", paramLabel = "N",
            description = "Pixel magnification, 1 to " + AttentionCommand.MAX_SCALE + " (default 8, 1 with --weights).")
    Integer scale;

    @Option(names = "--student", description = "Use the student's weights (default: the teacher's).")
    boolean student;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "ND4J threads (default ${DEFAULT-VALUE}; at most the machine's cores).")
    int threads;

    @Mixin
    DataReadOptions dataRead = new DataReadOptions();

    /** Largest {@code --scale}. */
    static final int MAX_SCALE = 64;
    /** Largest picture written, in pixels (a 28-pixel image with 8 heads at scale 64 is 16128 x 1792 = 29 M). */
    static final long MAX_PICTURE_PIXELS = 50_000_000L;

    @Override
    public Integer call() throws Exception {
        if (threshold != null && !(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("--threshold must be in (0, 1], got " + threshold);
        }
        int zoom = scale != null ? scale : source.weights != null ? 1 : 8;
        if (zoom < 1 || zoom > MAX_SCALE) {
            throw new IllegalArgumentException("--scale must be in [1, " + MAX_SCALE + "], got " + zoom);
        }
        if (images.length == 0) throw new IllegalArgumentException("--images must name at least one index or file");
        if (source.weights != null) {
            List<String> written = PretrainedAttention.write(source.weights, load, threads, images, imageSize, threshold,
                    zoom, out == null ? Path.of("attention") : out);
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("files", written)));
            return 0;
        }
        DinoRuntime.setThreads(Threads.clamp(threads, "--threads", System.err));
        DinoModel model;
        DataConfig dataConfig;
        if (source.checkpoint != null) {
            DinoConfig cfg = RunModels.config(source.checkpoint);
            if (data != null) {
                cfg = ConfigLoader.override(cfg, Map.of("data.source", data));
            }
            dataConfig = cfg.data();
            if (out == null) out = RunModels.runRoot(source.checkpoint).resolve("attention");
            RunDirectory.requireWritableOutput(out, "--out", dataConfig.source());
            TrainData td = TrainData.open(dataConfig, dataRead.toOptions());
            model = RunModels.load(source.checkpoint, student, td.channels()).model();
        } else {
            if (data == null) {
                throw new IllegalArgumentException("--data is required with --model");
            }
            model = loadModel(source.model);
            dataConfig = ConfigLoader.load(null, null, Map.of("data.source", data)).data();
            if (out == null) {
                out = Path.of("attention");
            }
            RunDirectory.requireWritableOutput(out, "--out", dataConfig.source());
        }
        if (!(model.backbone() instanceof VisionTransformer vit)) {
            throw new IllegalArgumentException("attention maps need a ViT backbone, the model's is \""
                    + model.backbone().name() + "\"");
        }
        ImageDataset ds = TrainData.open(dataConfig, dataRead.toOptions()).queries();
        int c = ds.channels(), h = ds.height(), w = ds.width();
        int p = vit.config().patchSize();
        int gh = h / p, gw = w / p;
        if (gh < 1 || gw < 1) {
            throw new IllegalArgumentException("images of " + h + "x" + w + " are smaller than the patch size " + p);
        }
        long picture = (long) (1 + vit.config().heads()) * w * zoom * h * zoom;
        if (picture > MAX_PICTURE_PIXELS) {
            throw new IllegalArgumentException("--scale " + zoom + " would draw " + (1 + vit.config().heads()) * (long) w * zoom + "x"
                    + (long) h * zoom + " pixels per image, more than " + MAX_PICTURE_PIXELS + "; use a smaller --scale");
        }
        Normalization norm = dataConfig.crops().normalization();
        float[] mean = norm.meanFor(c), std = norm.stdFor(c);
        List<String> written = new ArrayList<>();
        for (String is : images) {
            int idx;
            try {
                idx = Integer.parseInt(is.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--images takes indices into the held-out images here (files need --weights), got " + is);
            }
            if (idx < 0 || idx >= ds.size()) {
                throw new IllegalArgumentException("--images index must be in [0, " + ds.size() + "), got " + idx);
            }
            float[] img = ds.image(idx);
            float[] x = new float[img.length];
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < h * w; k++) {
                    x[ch * h * w + k] = (img[ch * h * w + k] - mean[ch]) / std[ch];
                }
            }
            INDArray batch = Nd4j.createFromArray(x).reshape('c', 1, c, h, w).castTo(model.dataType());
            float[][] cls = AttentionMaps.clsToPatches(AttentionMaps.lastAttention(model, batch), 0);
            Path file = out.resolve("attention-" + idx + ".png");
            AttentionMaps.writePng(AttentionMaps.render(img, c, h, w, cls, gh, gw, threshold, zoom), file);
            written.add(file.toString());
        }
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("files", written)));
        return 0;
    }

    /** A DinoModel.save file; the backbone graph dino train exports is named as what it is. */
    private static DinoModel loadModel(Path file) throws java.io.IOException {
        try {
            return org.dino4j.train.run.RuntimeOverrides.applyTo(DinoModel.load(file));
        } catch (java.io.IOException e) {
            if (file.getFileName() != null && file.getFileName().toString().endsWith(".sd")) {
                throw new java.io.IOException("--model " + file + " is a SameDiff backbone export (teacher-backbone.sd), not a "
                        + "DinoModel.save file; for a run of dino train pass --checkpoint RUN_DIR", e);
            }
            throw e;
        }
    }
}
