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
import org.dino4j.augment.transform.Normalization;
import org.dino4j.eval.features.LabeledBatch;
import org.dino4j.train.CropBatch;
import org.dino4j.train.CropBatches;
import org.dino4j.train.config.DataConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * The datasets of a run: the training images (labels never used by training) and a labelled held-out query set
 * for k-NN. {@code synthetic}: dino-augment's procedural set (train and queries from different fixed seeds, so
 * every run sees the same data); {@code idx:DIR}: {@code train-*} for training, {@code t10k-*} as queries;
 * {@code images:DIR}: {@code DIR/train} and {@code DIR/test} if both exist (one class index for both: the class
 * folders must be the same on both sides, or it is an error naming the odd one), else {@code data.heldOut} images
 * spread over DIR are held out of training as queries.
 *
 * @param train       training images.
 * @param queries     held-out labelled images (k-NN queries, t-SNE points).
 * @param description a human-readable description of the source.
 * @param identity    count and fingerprint of the training images ({@link DataIdentity}).
 */
public record TrainData(ImageDataset train, ImageDataset queries, String description, DataIdentity identity) {
    /** Fixed seed of the synthetic training set. */
    public static final long SYNTHETIC_TRAIN_SEED = 1;
    /** Fixed seed of the synthetic query set. */
    public static final long SYNTHETIC_TEST_SEED = 2;

    /** The parts of a source before {@code data.trainLimit}. */
    private record Parts(ImageDataset train, ImageDataset queries, String description, List<String> header,
                         IntFunction<String> itemKey, List<String> skipped) {}

    /** Opens the datasets of a config with {@link DataOptions#DEFAULTS}. */
    public static TrainData open(DataConfig d) throws IOException {
        return open(d, DataOptions.DEFAULTS);
    }

    /**
     * Opens the datasets of a config.
     *
     * With {@code data.trainLimit} N > 0 the training set is its first N images (after the held-out split); the
     * queries do not change.
     *
     * @throws IOException              naming the file or folder when it is missing, unreadable or corrupt.
     * @throws IllegalArgumentException when the training set is empty, or the query set is empty and
     *                                  {@link DataOptions#needQueries()}, naming the setting or file to change.
     */
    public static TrainData open(DataConfig d, DataOptions o) throws IOException {
        Parts all = openAll(d, o);
        if (all.train.size() == 0) {
            throw new IllegalArgumentException("data.source " + d.source() + " holds no training images (" + all.description + ")");
        }
        if (o.needQueries() && all.queries.size() == 0) {
            throw new IllegalArgumentException("no held-out images for the k-NN evaluation: " + emptyQueriesReason(d)
                    + "; or pass --no-eval with --set run.knnEveryEpochs=0 to train without evaluation");
        }
        ImageDataset train = all.train;
        String description = all.description;
        int n = d.trainLimit();
        if (n > 0 && n < all.train.size()) {
            train = SubsetDataset.head(all.train, n);
            description += ", training on the first " + n + " of " + all.train.size() + " (data.trainLimit)";
        }
        DataIdentity id = DataIdentity.of(d.source(), all.header, train.size(), all.itemKey, all.skipped);
        return new TrainData(train, all.queries, description, id);
    }

    private static String emptyQueriesReason(DataConfig d) {
        if (d.source().startsWith("idx:")) {
            return "data.heldOut is " + d.heldOut() + " or the t10k test files in " + d.source().substring(4)
                    + " hold no images; set data.heldOut >= 1 and give a test file with images";
        }
        if (d.source().startsWith("images:")) {
            return "data.heldOut is " + d.heldOut() + " (or the test/ folder is empty); set data.heldOut >= 1";
        }
        return "data.heldOut is " + d.heldOut() + "; set data.heldOut >= 1";
    }

    private static Parts openAll(DataConfig d, DataOptions o) throws IOException {
        String src = d.source();
        if (src.equals("synthetic")) {
            ImageDataset q = d.heldOut() == 0 ? empty(new SyntheticDataset(1, d.imageSize(), d.imageSize(), d.channels(), SYNTHETIC_TEST_SEED))
                    : new SyntheticDataset(d.heldOut(), d.imageSize(), d.imageSize(), d.channels(), SYNTHETIC_TEST_SEED);
            List<String> header = List.of("synthetic", "seed " + SYNTHETIC_TRAIN_SEED, "size " + d.syntheticSize(),
                    "image " + d.imageSize() + "x" + d.imageSize() + "x" + d.channels());
            return new Parts(new SyntheticDataset(d.syntheticSize(), d.imageSize(), d.imageSize(), d.channels(), SYNTHETIC_TRAIN_SEED), q,
                    "synthetic (" + d.syntheticSize() + " train + " + q.size() + " held-out "
                            + d.imageSize() + "x" + d.imageSize() + " images, 10 shape classes)", header, null, List.of());
        }
        if (src.startsWith("idx:")) {
            Path dir = Path.of(src.substring(4));
            if (!Files.isDirectory(dir)) throw new IOException("data.source " + src + ": folder " + dir + " does not exist");
            ImageDataset train = IdxDataset.fashionMnist(dir, true);
            ImageDataset test = IdxDataset.fashionMnist(dir, false);
            ImageDataset q = SubsetDataset.head(test, d.heldOut());
            List<String> header = new ArrayList<>(List.of("idx"));
            for (String base : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte")) header.add(fileKey(idxFile(dir, base)));
            return new Parts(train, q, "IDX " + dir + " (" + train.size() + " train, " + q.size() + " test images)", header, null, List.of());
        }
        Path dir = Path.of(src.substring("images:".length()));
        if (!Files.isDirectory(dir)) throw new IOException("data.source " + src + ": folder " + dir + " does not exist");
        FolderDataset.Options fo = new FolderDataset.Options(d.channels(), d.imageSize(), d.imageSize(), o.skipCorrupt(), o.maxImagePixels());
        if (Files.isDirectory(dir.resolve("train")) && Files.isDirectory(dir.resolve("test"))) {
            List<Path> classes = classIndex(dir.resolve("train"), dir.resolve("test"));
            FolderDataset train = FolderDataset.load(dir.resolve("train"), fo, classes);
            FolderDataset test = FolderDataset.load(dir.resolve("test"), fo, classes);
            ImageDataset q = SubsetDataset.spread(test, d.heldOut());
            List<String> skipped = new ArrayList<>(train.skippedFiles());
            skipped.addAll(test.skippedFiles());
            return new Parts(train, q, "images " + dir + " (" + train.size() + " train, " + q.size() + " test images, "
                    + classes.size() + " classes)", List.of("images train/test"), i -> fileKey(dir, train.file(i)), skipped);
        }
        FolderDataset all = FolderDataset.load(dir, fo, null);
        int n = all.size(), h = Math.min(d.heldOut(), n / 2);
        boolean[] held = new boolean[n];
        int[] qi = new int[h];
        for (int i = 0; i < h; i++) {
            qi[i] = (int) ((long) i * n / h);
            held[qi[i]] = true;
        }
        int[] ti = new int[n - h];
        for (int i = 0, j = 0; i < n; i++) if (!held[i]) ti[j++] = i;
        return new Parts(new SubsetDataset(all, ti), new SubsetDataset(all, qi),
                "images " + dir + " (" + ti.length + " train, " + h + " held out)", List.of("images"),
                i -> fileKey(dir, all.file(ti[i])), all.skippedFiles());
    }

    /**
     * One class index for a train/ and a test/ folder: their class folders, which must be the same on both sides
     * (a class on one side only would shift the other side's labels, or could never be predicted).
     */
    static List<Path> classIndex(Path trainDir, Path testDir) throws IOException {
        List<Path> tr = FolderDataset.classFolders(trainDir), te = FolderDataset.classFolders(testDir);
        TreeSet<Path> union = new TreeSet<>(tr);
        union.addAll(te);
        for (Path c : union) {
            boolean inTrain = tr.contains(c), inTest = te.contains(c);
            if (!inTrain || !inTest) {
                throw new IllegalArgumentException("class \"" + c + "\" has images in " + (inTrain ? trainDir : testDir) + " but not in "
                        + (inTrain ? testDir : trainDir) + "; train/ and test/ must hold the same class folders (train: "
                        + tr + ", test: " + te + ")");
            }
        }
        return new ArrayList<>(union);
    }

    private static ImageDataset empty(ImageDataset like) {
        return new SubsetDataset(like, new int[0]);
    }

    private static String fileKey(Path root, Path f) {
        long size;
        try {
            size = Files.size(f);
        } catch (IOException e) {
            size = -1;
        }
        return root.relativize(f) + "\t" + size;
    }

    private static String fileKey(Path f) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = new CheckedInputStream(Files.newInputStream(f), crc)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return f.getFileName() + "\t" + Files.size(f) + "\t" + Long.toHexString(crc.getValue());
    }

    private static Path idxFile(Path dir, String base) throws IOException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) return raw;
        throw new NoSuchFileException(gz + " (nor " + raw + ")");
    }

    /** Number of classes (labels are used only by the evaluation). */
    public int numClasses() {
        return Math.max(train.numClasses(), queries.numClasses());
    }

    /** Image channels. */
    public int channels() {
        return train.channels();
    }

    /**
     * The training batches: dino-augment's prefetching loader; batch i of epoch e depends only on (seed, e, i).
     *
     * @param minInputSize the backbone's smallest accepted crop side.
     */
    public CropBatches loader(DataConfig d, long seed, int minInputSize) {
        MultiCropConfig mc = d.crops().requireMinSize(minInputSize);
        MultiCropTransform t = MultiCropTransform.forDataset(mc, train);
        MultiCropLoader loader = new MultiCropLoader(train, t,
                LoaderConfig.builder().batchSize(d.batchSize()).seed(seed).workers(d.workers())
                        .prefetch(Math.max(2, 2 * d.workers())).build());
        int b = d.batchSize(), n = mc.numLocal(), ipe = loader.batchesPerEpoch();
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
                Iterator<MultiCropBatch> it = loader.epoch(epoch, from); // resume inside an epoch without rebuilding
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

    /**
     * Un-augmented labelled batches of a dataset, for feature extraction, normalised as the training views
     * ({@code data.crops.normalization}).
     */
    public static Supplier<Iterator<LabeledBatch>> evalBatches(ImageDataset ds, int batchSize, Normalization norm) {
        return () -> {
            Iterator<EvalLoader.Batch> it = new EvalLoader(ds, batchSize, norm).iterator();
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
