package org.dino4j.spark;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.TaskCompletionListener;
import org.dino4j.augment.data.FolderDataset;
import org.dino4j.augment.transform.ViewOps;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.features.LabeledBatch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.apache.spark.sql.functions.col;

/**
 * {@code dino spark embed}: backbone features of every image of a table, as Parquet.
 *
 * <p>Input: Spark's {@code binaryFile} table (columns {@code path}, {@code content}), e.g. every PNG/JPEG under a
 * directory tree ({@link #readImages}). Label = the name of the image's parent folder (none for an image directly
 * in the root given). Output directory (appears whole or not at all, {@link AtomicOutput}):
 * <ul>
 *   <li>{@code embeddings/}: Parquet {@code (path string, label string, embedding array<float>)}, one row per
 *       readable image, the L2-normalised backbone features ({@code Features.extract(…, true)}, as
 *       {@code dino eval embed});</li>
 *   <li>{@code unreadable/}: Parquet {@code (path, label, error)}, one row per image no decoder could read;</li>
 *   <li>{@code summary.json}: counts (images, embedded, unreadable with the first ones named), dimension, model,
 *       time and embeddings/s ({@link EmbedSummary}).</li>
 * </ul>
 *
 * <p>Execution: the {@link BackboneSource} is broadcast once; each executor task slot builds its network once
 * ({@link ExecutorState}); a partition's images are decoded, resized to the backbone's input and normalised
 * exactly as {@code dino eval} does ({@link FolderDataset#pixels}, the backbone's normalisation), and run through the
 * network in batches of {@link EmbedOptions#batchSize()} on the executor's ND4J CPU backend.
 */
public final class SparkEmbed {
    /** The embeddings table's directory name. */
    public static final String EMBEDDINGS = "embeddings";
    /** The unreadable-images table's directory name. */
    public static final String UNREADABLE = "unreadable";
    /** The summary's file name. */
    public static final String SUMMARY = "summary.json";
    /** Image file name patterns read from a directory (case variants included). */
    public static final String IMAGE_GLOB = "*.{png,jpg,jpeg,PNG,JPG,JPEG}";

    static final StructType ROWS = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, true)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("error", DataTypes.StringType, true);

    /** Fault injection for tests: called before each image with (partition, attempt, index in partition). */
    interface RowHook extends java.io.Serializable {
        void before(int partition, int attempt, long index);
    }

    static volatile RowHook faultHook;

    private SparkEmbed() {
    }

    /**
     * The {@code binaryFile} table of the images under {@code dirOrGlob}: a directory is read recursively
     * (files matching {@link #IMAGE_GLOB}); a glob pattern is used as given.
     */
    public static Dataset<Row> readImages(SparkSession spark, String dirOrGlob) {
        var reader = spark.read().format("binaryFile");
        if (!isGlob(dirOrGlob)) {
            reader = reader.option("recursiveFileLookup", "true").option("pathGlobFilter", IMAGE_GLOB);
        }
        return reader.load(dirOrGlob).select("path", "content");
    }

    /**
     * Embeds the images under a directory (or matching a glob): {@link #readImages}, labels from the folders.
     *
     * @throws IOException naming the input when it holds no image, or the output when it exists
     */
    public static EmbedSummary run(SparkSession spark, String images, BackboneSource model, EmbedOptions options,
                                   String out) throws IOException {
        String root = null;
        if (!isGlob(images)) {
            Path p = new Path(images);
            root = p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
        }
        Dataset<Row> table;
        try {
            table = readImages(spark, images);
        } catch (RuntimeException e) { // AnalysisException: path does not exist
            throw new IOException("images " + images + ": " + e.getMessage(), e);
        }
        return run(spark, table, root, model, options, out);
    }

    /**
     * Embeds the images of a {@code binaryFile}-shaped table.
     *
     * @param images    rows with {@code path} (string) and {@code content} (binary)
     * @param labelRoot the qualified root directory (an image directly in it has no label), or null
     * @throws IOException when the table is empty or the output exists
     */
    public static EmbedSummary run(SparkSession spark, Dataset<Row> images, String labelRoot, BackboneSource model,
                                   EmbedOptions options, String out) throws IOException {
        long t0 = System.nanoTime();
        try (AtomicOutput o = new AtomicOutput(spark, out)) {
            int files = images.inputFiles().length;
            if (files == 0 && images.isEmpty()) {
                throw new IOException("no images (" + IMAGE_GLOB + ") in the input" + (labelRoot == null ? "" : " " + labelRoot));
            }
            JavaRDD<Row> rows = images.select("path", "content").javaRDD();
            int target = options.partitions() > 0 ? options.partitions()
                    : Math.max(spark.sparkContext().defaultParallelism(),
                            (int) Math.ceil(files / (double) EmbedOptions.DEFAULT_IMAGES_PER_PARTITION));
            if (options.partitions() > 0 && target > rows.getNumPartitions()) {
                rows = rows.repartition(target);
            } else if (target < rows.getNumPartitions()) {
                rows = rows.coalesce(target);
            }
            int partitions = rows.getNumPartitions();
            Broadcast<BackboneSource> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
            JavaRDD<Row> embedded = rows.mapPartitions(new EmbedPartition(b, labelRoot, options));
            Dataset<Row> all = spark.createDataFrame(embedded, ROWS).persist(StorageLevel.MEMORY_AND_DISK());
            try {
                // one computation (persisted) feeds both tables; a retried task's partial files are discarded
                all.filter(col("error").isNull()).select("path", "label", "embedding").write().parquet(o.staged(EMBEDDINGS));
                all.filter(col("error").isNotNull()).select("path", "label", "error").write().parquet(o.staged(UNREADABLE));
            } finally {
                all.unpersist();
                b.destroy();
            }
            Dataset<Row> written = spark.read().parquet(o.staged(EMBEDDINGS));
            Dataset<Row> bad = spark.read().parquet(o.staged(UNREADABLE));
            long good = written.count();
            long unreadable = bad.count();
            List<Row> first = written.select("embedding").limit(1).collectAsList();
            int dim = first.isEmpty() ? 0 : first.get(0).getList(0).size();
            List<EmbedSummary.Unreadable> named = new ArrayList<>();
            for (Row r : bad.orderBy("path").limit(options.unreadableExamples()).collectAsList()) {
                named.add(new EmbedSummary.Unreadable(r.getString(0), r.getString(2)));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            EmbedSummary s = new EmbedSummary(good + unreadable, good, unreadable, named, dim, model.description(),
                    model.channels(), model.imageSize(), partitions, seconds, o.out());
            o.writeString(SUMMARY, s.toJson());
            o.commit();
            return s;
        }
    }

    static boolean isGlob(String p) {
        return p.indexOf('*') >= 0 || p.indexOf('?') >= 0 || p.indexOf('[') >= 0 || p.indexOf('{') >= 0;
    }

    /** The label of an image: its parent folder's name, or null when the parent is the root. */
    static String label(String path, String root) {
        Path parent = new Path(path).getParent();
        if (parent == null || (root != null && new Path(root).equals(parent))) {
            return null;
        }
        return parent.getName();
    }

    /** One partition: decode, batch, forward, normalise; unreadable images become error rows. */
    private static final class EmbedPartition implements FlatMapFunction<Iterator<Row>, Row> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<BackboneSource> model;
        private final String root;
        private final EmbedOptions options;

        EmbedPartition(Broadcast<BackboneSource> model, String root, EmbedOptions options) {
            this.model = model;
            this.root = root;
            this.options = options;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            ExecutorState.threads(options.threadsPerTask());
            return new Batches(input, model.value(), root, options.batchSize());
        }
    }

    /** Lazily turns input rows into output rows, one batch at a time. */
    private static final class Batches implements Iterator<Row> {
        private final Iterator<Row> input;
        private final BackboneSource source;
        private final String root;
        private final int batch;
        private final int c;
        private final int side;
        private final float[] mean;
        private final float[] std;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private final TaskContext task = TaskContext.get();
        private Function<INDArray, INDArray> net;
        private long index;

        Batches(Iterator<Row> input, BackboneSource source, String root, int batch) {
            this.input = input;
            this.source = source;
            this.root = root;
            this.batch = batch;
            this.c = source.channels();
            this.side = source.imageSize();
            try {
                org.dino4j.augment.transform.Normalization norm = source.normalization();
                this.mean = norm.meanFor(c);
                this.std = norm.stdFor(c);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && input.hasNext()) {
                fill();
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            return ready.poll();
        }

        private void fill() {
            int len = c * side * side;
            float[] buf = new float[batch * len];
            float[] img = new float[len];
            List<String> paths = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            while (paths.size() < batch && input.hasNext()) {
                Row r = input.next();
                String path = r.getString(0);
                String label = label(path, root);
                RowHook hook = faultHook;
                if (hook != null && task != null) {
                    hook.before(task.partitionId(), task.attemptNumber(), index);
                }
                index++;
                byte[] content = (byte[]) r.get(1);
                if (content == null) {
                    ready.add(RowFactory.create(path, label, null, path + ": no content"));
                    continue;
                }
                try {
                    FolderDataset.pixels(content, path, c, side, side, img);
                } catch (IOException e) {
                    ready.add(RowFactory.create(path, label, null, e.getMessage()));
                    continue;
                }
                ViewOps.normalize(img, c, side * side, mean, std);
                System.arraycopy(img, 0, buf, paths.size() * len, len);
                paths.add(path);
                labels.add(label);
            }
            int n = paths.size();
            if (n == 0) {
                return;
            }
            if (net == null) {
                net = ExecutorState.borrow(source);
                Function<INDArray, INDArray> borrowed = net;
                if (task != null) {
                    task.addTaskCompletionListener((TaskCompletionListener) ctx -> ExecutorState.release(source, borrowed));
                }
            }
            INDArray x = Nd4j.create(java.util.Arrays.copyOf(buf, n * len), new long[] {n, c, side, side}, 'c');
            float[][] f = Features.extract(net, List.of(new LabeledBatch(x, new int[n])).iterator(), true).features();
            for (int i = 0; i < n; i++) {
                ready.add(RowFactory.create(paths.get(i), labels.get(i), f[i], null));
            }
        }
    }
}
