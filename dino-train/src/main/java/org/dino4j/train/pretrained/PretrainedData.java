package org.dino4j.train.pretrained;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dino4j.augment.data.ImageDataset;
import org.dino4j.core.pretrained.ImagePreprocessing;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DataConfig;
import org.dino4j.train.run.TrainData;

/**
 * Labelled images for evaluating a pretrained DINO checkpoint ({@code dino eval knn|linear --weights}), every image
 * preprocessed as the official {@code eval_knn.py} does (resize 256 bicubic, center crop 224, ImageNet mean/std):
 *
 * <ul>
 *   <li>{@code images:DIR}: {@code DIR/train} and {@code DIR/val} (or {@code DIR/test}), each with one folder per
 *       class (the official ImageNet layout), read from disk batch by batch; without that split, the class folders
 *       of DIR with every (n/h)-th image held out as a query (h = {@code heldOut}, at most half);</li>
 *   <li>{@code idx:DIR} and {@code synthetic}: the same sets as {@code dino train} ({@link TrainData}), each small
 *       image converted to 8-bit RGB (grey replicated) and upscaled by the same preprocessing.</li>
 * </ul>
 *
 * @param train the k-NN memory / probe training set
 * @param queries the held-out queries
 * @param classes class names by label
 * @param description a readable description
 */
public record PretrainedData(Split train, Split queries, List<String> classes, String description) {

    /**
     * One set of images.
     *
     * @param labels labels
     * @param source preprocessed tensor of item i
     */
    public record Split(int[] labels, PreprocessedBatches.Source source) {
        /** @return the number of images */
        public int size() {
            return labels.length;
        }

        /**
         * @param n at most this many images, spread evenly over the set (all when n ≥ size)
         * @return the subset
         */
        public Split spread(int n) {
            if (n >= labels.length) {
                return this;
            }
            int[] idx = new int[n];
            int[] l = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = (int) ((long) i * labels.length / n);
                l[i] = labels[idx[i]];
            }
            return new Split(l, i -> source.tensor(idx[i]));
        }

        /**
         * @param batch batch size
         * @return batches of {@code [B, 3, 224, 224]} (close them)
         */
        public PreprocessedBatches batches(int batch) {
            return new PreprocessedBatches(source, labels, batch, 3, ImagePreprocessing.CROP, ImagePreprocessing.CROP);
        }
    }

    /**
     * @param source {@code images:DIR}, {@code idx:DIR} or {@code synthetic}
     * @param heldOut queries held out of an unsplit image folder (and the query count of idx/synthetic)
     * @return the data
     * @throws IOException when folders are missing or hold no images
     */
    public static PretrainedData open(String source, int heldOut) throws IOException {
        if (source.startsWith("images:")) {
            Path dir = Path.of(source.substring("images:".length()));
            if (!Files.isDirectory(dir)) {
                throw new IOException("--data " + source + ": folder " + dir + " does not exist");
            }
            Path val = Files.isDirectory(dir.resolve("val")) ? dir.resolve("val") : dir.resolve("test");
            if (Files.isDirectory(dir.resolve("train")) && Files.isDirectory(val)) {
                ImageFiles tr = ImageFiles.scan(dir.resolve("train"));
                ImageFiles q = ImageFiles.scan(val);
                if (tr.classes().isEmpty()) {
                    throw new IOException(dir.resolve("train") + ": images must be in one folder per class");
                }
                int[] ql = new int[q.size()];
                for (int i = 0; i < ql.length; i++) {
                    String c = q.relative(i).split("/")[0];
                    ql[i] = tr.classes().indexOf(c);
                    if (ql[i] < 0 || q.relative(i).indexOf('/') < 0) {
                        throw new IOException(q.files().get(i) + ": its class folder is not among " + dir.resolve("train")
                                + "'s classes " + tr.classes());
                    }
                }
                return new PretrainedData(files(tr, tr.labels()), files(q, ql), tr.classes(),
                        "images " + dir + " (" + tr.size() + " train, " + q.size() + " " + val.getFileName() + ")");
            }
            ImageFiles all = ImageFiles.scan(dir);
            if (all.classes().isEmpty()) {
                throw new IOException(dir + ": images must be in one folder per class (or in train/ and val/)");
            }
            int n = all.size();
            int h = Math.min(heldOut, n / 2);
            boolean[] held = new boolean[n];
            List<Integer> qi = new ArrayList<>();
            for (int i = 0; i < h; i++) {
                int k = (int) ((long) i * n / h);
                held[k] = true;
                qi.add(k);
            }
            List<Integer> ti = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!held[i]) {
                    ti.add(i);
                }
            }
            return new PretrainedData(subset(all, ti), subset(all, qi), all.classes(),
                    "images " + dir + " (" + ti.size() + " train, " + qi.size() + " held out)");
        }
        if (!source.equals("synthetic") && !source.startsWith("idx:")) {
            throw new IllegalArgumentException("--data must be images:DIR, idx:DIR or synthetic, got " + source);
        }
        DataConfig d = ConfigLoader.load(null, null, Map.of("data.source", source,
                "data.heldOut", Integer.toString(Math.max(1, heldOut)))).data();
        TrainData td = TrainData.open(d);
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < td.numClasses(); c++) {
            classes.add(td.queries().className(c));
        }
        return new PretrainedData(dataset(td.train()), dataset(td.queries()), classes, td.description());
    }

    private static Split files(ImageFiles f, int[] labels) {
        return new Split(labels, i -> ImagePreprocessing.evalTensor(ImageFiles.read(f.files().get(i))));
    }

    private static Split subset(ImageFiles f, List<Integer> idx) {
        int[] l = new int[idx.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = f.labels()[idx.get(i)];
        }
        return new Split(l, i -> ImagePreprocessing.evalTensor(ImageFiles.read(f.files().get(idx.get(i)))));
    }

    private static Split dataset(ImageDataset ds) {
        int[] l = new int[ds.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = ds.label(i);
        }
        return new Split(l, i -> ImagePreprocessing.evalTensor(rgb(ds, i)));
    }

    /** A [0, 1] dataset image as 8-bit RGB (grey replicated). */
    static ImagePreprocessing.Rgb rgb(ImageDataset ds, int i) {
        float[] px = ds.image(i);
        int hw = ds.height() * ds.width();
        int[][] p = new int[3][hw];
        for (int ch = 0; ch < 3; ch++) {
            int src = ds.channels() == 3 ? ch : 0;
            for (int k = 0; k < hw; k++) {
                p[ch][k] = Math.round(Math.min(1f, Math.max(0f, px[src * hw + k])) * 255f);
            }
        }
        return new ImagePreprocessing.Rgb(ds.width(), ds.height(), p);
    }
}
