package org.dino4j.train.run;

import org.dino4j.augment.EvalLoader;
import org.dino4j.augment.LoaderConfig;
import org.dino4j.augment.MultiCropBatch;
import org.dino4j.augment.MultiCropConfig;
import org.dino4j.augment.MultiCropLoader;
import org.dino4j.augment.MultiCropTransform;
import org.dino4j.augment.data.FolderDataset;
import org.dino4j.augment.data.IdxDataset;
import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.data.SyntheticDataset;
import org.dino4j.augment.transform.ColorJitterSpec;
import org.dino4j.augment.transform.Normalization;
import org.dino4j.augment.transform.ViewSpec;
import org.dino4j.eval.features.LabeledBatch;
import org.dino4j.train.CropBatch;
import org.dino4j.train.CropBatches;
import org.dino4j.train.config.DataConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * The datasets of a run: the training images (labels never used by training) and a labelled held-out query set
 * for k-NN. {@code synthetic}: dino-augment's procedural set (train and queries from different fixed seeds, so
 * every run sees the same data); {@code idx:DIR}: {@code train-*} for training, {@code t10k-*} as queries;
 * {@code images:DIR}: {@code DIR/train} and {@code DIR/test} if both exist, else {@code data.heldOut} images
 * spread over DIR are held out of training as queries.
 *
 * @param train      training images.
 * @param queries    held-out labelled images (k-NN queries, t-SNE points).
 * @param description a human-readable description of the source.
 */
public record TrainData(ImageDataset train, ImageDataset queries, String description) {
    /** Fixed seed of the synthetic training set. */
    public static final long SYNTHETIC_TRAIN_SEED = 1;
    /** Fixed seed of the synthetic query set. */
    public static final long SYNTHETIC_TEST_SEED = 2;
    /** Normalisation of every view and eval image: (x − 0.5)/0.5 per channel. */
    public static final Normalization NORM = Normalization.HALF;

    /**
     * Opens the datasets of a config.
     *
     * With {@code data.trainLimit} N > 0 the training set is its first N images (after the held-out split); the
     * queries do not change.
     *
     * @throws IOException naming the file or folder when it is missing or unreadable.
     */
    public static TrainData open(DataConfig d) throws IOException {
        TrainData all = openAll(d);
        int n = d.trainLimit();
        if (n == 0 || n >= all.train.size()) return all;
        return new TrainData(SubsetDataset.head(all.train, n), all.queries,
                all.description + ", training on the first " + n + " of " + all.train.size() + " (data.trainLimit)");
    }

    private static TrainData openAll(DataConfig d) throws IOException {
        String src = d.source();
        if (src.equals("synthetic")) {
            return new TrainData(new SyntheticDataset(d.syntheticSize(), d.imageSize(), d.imageSize(), d.channels(), SYNTHETIC_TRAIN_SEED),
                    new SyntheticDataset(Math.max(1, d.heldOut()), d.imageSize(), d.imageSize(), d.channels(), SYNTHETIC_TEST_SEED),
                    "synthetic (" + d.syntheticSize() + " train + " + Math.max(1, d.heldOut()) + " held-out "
                            + d.imageSize() + "x" + d.imageSize() + " images, 10 shape classes)");
        }
        if (src.startsWith("idx:")) {
            Path dir = Path.of(src.substring(4));
            if (!Files.isDirectory(dir)) throw new IOException("data.source " + src + ": folder " + dir + " does not exist");
            ImageDataset train = IdxDataset.fashionMnist(dir, true);
            ImageDataset test = IdxDataset.fashionMnist(dir, false);
            ImageDataset q = SubsetDataset.head(test, Math.max(1, d.heldOut()));
            return new TrainData(train, q, "IDX " + dir + " (" + train.size() + " train, " + q.size() + " test images)");
        }
        Path dir = Path.of(src.substring("images:".length()));
        if (!Files.isDirectory(dir)) throw new IOException("data.source " + src + ": folder " + dir + " does not exist");
        if (Files.isDirectory(dir.resolve("train")) && Files.isDirectory(dir.resolve("test"))) {
            ImageDataset train = FolderDataset.load(dir.resolve("train"), d.channels(), d.imageSize(), d.imageSize(), false);
            ImageDataset test = FolderDataset.load(dir.resolve("test"), d.channels(), d.imageSize(), d.imageSize(), false);
            ImageDataset q = SubsetDataset.spread(test, Math.max(1, d.heldOut()));
            return new TrainData(train, q, "images " + dir + " (" + train.size() + " train, " + q.size() + " test images)");
        }
        ImageDataset all = FolderDataset.load(dir, d.channels(), d.imageSize(), d.imageSize(), false);
        int n = all.size(), h = Math.min(d.heldOut(), n / 2);
        boolean[] held = new boolean[n];
        int[] qi = new int[h];
        for (int i = 0; i < h; i++) {
            qi[i] = (int) ((long) i * n / h);
            held[qi[i]] = true;
        }
        int[] ti = new int[n - h];
        for (int i = 0, j = 0; i < n; i++) if (!held[i]) ti[j++] = i;
        return new TrainData(new SubsetDataset(all, ti), new SubsetDataset(all, qi),
                "images " + dir + " (" + ti.length + " train, " + h + " held out)");
    }

    /** Number of classes (labels are used only by the evaluation). */
    public int numClasses() {
        return Math.max(train.numClasses(), queries.numClasses());
    }

    /** Image channels. */
    public int channels() {
        return train.channels();
    }

    /** DINO's multi-crop recipe with the config's sizes, scales, blur and (optional, off by default) rotation. */
    public static MultiCropConfig crops(DataConfig d) {
        return new MultiCropConfig(
                new ViewSpec(d.globalCropSize(), d.globalScaleMin(), d.globalScaleMax(), 1.0, 0.0),
                new ViewSpec(d.globalCropSize(), d.globalScaleMin(), d.globalScaleMax(), 0.1, 0.2),
                new ViewSpec(d.localCropSize(), d.localScaleMin(), d.localScaleMax(), 0.5, 0.0),
                d.localCrops(), 3.0 / 4.0, 4.0 / 3.0, 0.5, ColorJitterSpec.DINO, 0.2, 0.1, d.blurSigmaMax(), NORM,
                d.rotationDegrees());
    }

    /**
     * The training batches: dino-augment's prefetching loader; batch i of epoch e depends only on (seed, e, i).
     *
     * @param minInputSize the backbone's smallest accepted crop side.
     */
    public CropBatches loader(DataConfig d, long seed, int minInputSize) {
        MultiCropConfig mc = crops(d).requireMinSize(minInputSize);
        MultiCropTransform t = MultiCropTransform.forDataset(mc, train);
        MultiCropLoader loader = new MultiCropLoader(train, t,
                new LoaderConfig(d.batchSize(), seed, d.workers(), Math.max(2, 2 * d.workers()), true, true));
        int b = d.batchSize(), n = d.localCrops(), ipe = loader.batchesPerEpoch();
        if (ipe < 1) {
            throw new IllegalArgumentException("data.batchSize (" + b + ") must be <= the number of training images (" + train.size() + ")");
        }
        return new CropBatches() {
            @Override
            public int batchSize() {
                return b;
            }

            @Override
            public int numLocal() {
                return n;
            }

            @Override
            public int itersPerEpoch() {
                return ipe;
            }

            @Override
            public Iterator<CropBatch> epoch(int epoch, int from) {
                Iterator<MultiCropBatch> it = loader.epoch(epoch);
                for (int i = 0; i < from; i++) it.next(); // resume inside an epoch: batches depend only on (seed, epoch, i)
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public CropBatch next() {
                        MultiCropBatch m = it.next();
                        return new CropBatch(m.globals(), m.locals(), m.labels());
                    }
                };
            }

            @Override
            public void close() {
                loader.close();
            }
        };
    }

    /** Un-augmented, normalised labelled batches of a dataset, for feature extraction. */
    public static Supplier<Iterator<LabeledBatch>> evalBatches(ImageDataset ds, int batchSize) {
        return () -> {
            Iterator<EvalLoader.Batch> it = new EvalLoader(ds, batchSize, NORM).iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public LabeledBatch next() {
                    if (!it.hasNext()) throw new NoSuchElementException();
                    EvalLoader.Batch b = it.next();
                    return new LabeledBatch(b.images(), b.labels());
                }
            };
        };
    }
}
