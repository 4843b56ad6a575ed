package org.dino4j.spark.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.spark.BackboneSource;
import org.dino4j.spark.EmbedOptions;
import org.dino4j.spark.EmbedSummary;
import org.dino4j.spark.KnnSummary;
import org.dino4j.spark.NeighbourJobOptions;
import org.dino4j.spark.SearchSummary;
import org.dino4j.spark.SparkEmbed;
import org.dino4j.spark.SparkKnn;
import org.dino4j.train.run.RuntimeOverrides;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dino spark embed|knn|search}: the main class of dino-spark's job jar. {@code ./dino spark …} runs it on
 * this machine (Spark in local mode, {@code --master local[*]} by default); on a cluster,
 * {@code spark-submit --class org.dino4j.spark.cli.SparkCommand … dino-spark-job.jar embed …} runs it with the
 * cluster's master (docs/spark.md).
 *
 * <p>Exit codes: 0 success, 1 unexpected failure, 2 bad usage or bad input (message {@code dino: error: …}).
 */
@Command(name = "dino spark", mixinStandardHelpOptions = true,
        description = "Embeddings, weighted k-NN and nearest-neighbour search over large image collections on Apache Spark.",
        subcommands = {SparkCommand.Embed.class, SparkCommand.Knn.class, SparkCommand.Search.class,
                CommandLine.HelpCommand.class})
public final class SparkCommand implements Runnable {
    /** Exit code of bad usage or bad input. */
    public static final int EXIT_INPUT = 2;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: the one spark-submit passes, else local[*]; local[N,F] retries failed tasks F-1 times).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Entry point of the job jar: applies the {@code -Ddino4j.*} overrides ({@link RuntimeOverrides}), then runs. */
    public static void main(String[] args) {
        try {
            RuntimeOverrides.applyProcessWide();
        } catch (IllegalArgumentException e) {
            System.err.println("dino: error: " + e.getMessage());
            System.exit(EXIT_INPUT);
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured picocli command line. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkCommand());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            PrintWriter err = cmd.getErr();
            Throwable input = inputError(ex);
            if (input != null) {
                err.println("dino: error: " + input.getMessage());
                err.flush();
                return EXIT_INPUT;
            }
            err.println("dino: unexpected failure: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return 1;
        });
        return cl;
    }

    /** The first bad-input exception in the cause chain (also inside a failed Spark job), or null. */
    static Throwable inputError(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof IOException || t instanceof UncheckedIOException
                    || t.getClass().getName().equals("org.apache.spark.sql.AnalysisException")) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /**
     * Runs {@code job} with a session: the one already running in this JVM (kept), or a new one (stopped after).
     */
    <T> T withSession(String name, SessionJob<T> job) throws IOException {
        boolean existed = SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined();
        SparkSession.Builder b = SparkSession.builder().appName("dino spark " + name);
        SparkConf given = new SparkConf();
        if (master != null) {
            b = b.master(master);
        } else if (!given.contains("spark.master")) {
            b = b.master("local[*]");
        }
        for (Map.Entry<String, String> e : conf.entrySet()) {
            b = b.config(e.getKey(), e.getValue());
        }
        SparkSession spark = b.getOrCreate();
        try {
            return job.run(spark);
        } finally {
            if (!existed) {
                spark.stop();
            }
        }
    }

    /** A job run with a session. */
    @FunctionalInterface
    interface SessionJob<T> {
        T run(SparkSession spark) throws IOException;
    }

    /** Options of the k-NN and search jobs. */
    static final class JobOptions {
        @Option(names = "--memory", required = true, paramLabel = "TABLE",
                description = "Memory embeddings: a Parquet table (path, label, embedding) or an embed output directory.")
        String memory;

        @Option(names = "--queries", required = true, paramLabel = "TABLE", description = "Query embeddings, same format.")
        String queries;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (must not exist).")
        String out;

        @Option(names = "--chunk-size", defaultValue = "256", paramLabel = "N", description = "Queries per matrix multiply (default ${DEFAULT-VALUE}).")
        int chunkSize;

        @Option(names = "--memory-block-rows", defaultValue = "50000", paramLabel = "N", description = "Most memory rows per block (default ${DEFAULT-VALUE}).")
        int memoryBlockRows;

        @Option(names = "--query-partitions", defaultValue = "0", paramLabel = "N", description = "Query partitions (default 0 = automatic).")
        int queryPartitions;

        @Option(names = "--threads-per-task", defaultValue = "1", paramLabel = "N", description = "ND4J threads per task (default ${DEFAULT-VALUE}).")
        int threadsPerTask;

        NeighbourJobOptions job() {
            return new NeighbourJobOptions(chunkSize, memoryBlockRows, queryPartitions, threadsPerTask);
        }
    }

    /** {@code dino spark embed}. */
    @Command(name = "embed", mixinStandardHelpOptions = true,
            description = "Backbone embeddings of every image under a directory tree (label = parent folder) → Parquet (path, label, embedding).")
    static final class Embed implements Callable<Integer> {
        @ParentCommand
        SparkCommand parent;

        @Option(names = "--images", required = true, paramLabel = "DIR|GLOB",
                description = "A directory read recursively (png/jpg/jpeg) or a glob, any Hadoop file system.")
        String images;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Model model;

        static final class Model {
            @Option(names = "--checkpoint", paramLabel = "RUN_DIR|ZIP", description = "A dino4j run directory or checkpoint file.")
            Path checkpoint;

            @Option(names = "--backbone", paramLabel = "FILE.sd", description = "An exported backbone (teacher-backbone.sd of a run).")
            Path backbone;
        }

        @Option(names = "--student", description = "With --checkpoint: the student's weights (default: the teacher's).")
        boolean student;

        @Option(names = "--image-size", defaultValue = "0", paramLabel = "N", description = "Input side (default: the run's; required with --backbone).")
        int imageSize;

        @Option(names = "--channels", defaultValue = "0", paramLabel = "C", description = "Input channels 1|3 (default: the run's / the graph's).")
        int channels;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (must not exist).")
        String out;

        @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--partitions", defaultValue = "0", paramLabel = "N", description = "Image partitions (default 0 = automatic).")
        int partitions;

        @Option(names = "--threads-per-task", defaultValue = "1", paramLabel = "N", description = "ND4J threads per task (default ${DEFAULT-VALUE}).")
        int threadsPerTask;

        @Override
        public Integer call() throws IOException {
            EmbedOptions opts = new EmbedOptions(batchSize, partitions, threadsPerTask, 20);
            BackboneSource src;
            if (model.checkpoint != null) {
                src = BackboneSource.checkpoint(model.checkpoint, student, imageSize, channels);
            } else {
                if (imageSize < 1) {
                    throw new IllegalArgumentException("--backbone needs --image-size (the exported graph does not record it)");
                }
                src = BackboneSource.exported(model.backbone, imageSize, channels);
            }
            EmbedSummary s = parent.withSession("embed", spark -> SparkEmbed.run(spark, images, src, opts, out));
            System.out.println(s.toJson());
            System.err.println("wrote " + s.out() + " (" + s.embedded() + " embeddings, " + s.unreadable() + " unreadable)");
            return 0;
        }
    }

    /** {@code dino spark knn}. */
    @Command(name = "knn", mixinStandardHelpOptions = true,
            description = "Weighted k-NN (cosine, votes exp(sim/T)) of a query table against a memory table; writes knn.json and predictions/.")
    static final class Knn implements Callable<Integer> {
        @ParentCommand
        SparkCommand parent;

        @Mixin
        JobOptions opts = new JobOptions();

        @Option(names = "--k", split = ",", paramLabel = "K", description = "Neighbour counts (default 10,20,100,200).")
        int[] ks = KnnOptions.DEFAULT_KS;

        @Option(names = "--temperature", paramLabel = "T", description = "Vote temperature (default 0.07).")
        double t = KnnOptions.DEFAULT_TEMPERATURE;

        @Override
        public Integer call() throws IOException {
            KnnOptions knn = new KnnOptions(ks, t, opts.chunkSize);
            NeighbourJobOptions job = opts.job();
            KnnSummary s = parent.withSession("knn", spark -> SparkKnn.knn(spark,
                    SparkKnn.readTable(spark, opts.memory, "memory"),
                    SparkKnn.readTable(spark, opts.queries, "queries"), knn, job, opts.out));
            System.out.println(s.toJson());
            System.err.println("wrote " + s.out());
            return 0;
        }
    }

    /** {@code dino spark search}. */
    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "The k nearest memory rows of every query row (cosine); writes neighbours/ and summary.json.")
    static final class Search implements Callable<Integer> {
        @ParentCommand
        SparkCommand parent;

        @Mixin
        JobOptions opts = new JobOptions();

        @Option(names = "--k", defaultValue = "10", paramLabel = "K", description = "Neighbours per query (default ${DEFAULT-VALUE}).")
        int k;

        @Override
        public Integer call() throws IOException {
            NeighbourJobOptions job = opts.job();
            SearchSummary s = parent.withSession("search", spark -> SparkKnn.search(spark,
                    SparkKnn.readTable(spark, opts.memory, "memory"),
                    SparkKnn.readTable(spark, opts.queries, "queries"), k, job, opts.out));
            System.out.println(s.toJson());
            System.err.println("wrote " + s.out());
            return 0;
        }
    }
}
