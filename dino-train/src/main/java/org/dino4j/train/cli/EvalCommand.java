package org.dino4j.train.cli;

import org.dino4j.core.DinoRuntime;
import org.dino4j.core.pretrained.PretrainedDino;
import org.dino4j.eval.Evaluation;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.linear.LinearProbeOptions;
import org.dino4j.eval.linear.LinearProbeResult;
import org.dino4j.eval.tsne.TsneOptions;
import org.dino4j.eval.tsne.TsneSummary;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.run.RunDirectory;
import org.dino4j.train.run.RunModels;
import org.dino4j.train.run.SubsetDataset;
import org.dino4j.train.run.Threads;
import org.dino4j.train.run.TrainData;
import org.dino4j.train.pretrained.PreprocessedBatches;
import org.dino4j.train.pretrained.PretrainedData;
import org.dino4j.train.pretrained.Progress;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code dino eval knn|linear|tsne|embed|curve}: evaluations of a trained run's frozen backbone (dino-eval); {@code knn} and
 * {@code linear} also of a pretrained DINO checkpoint ({@code --weights FILE --data SOURCE}: official preprocessing,
 * {@link PretrainedData}).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate the frozen backbone of a run or of a pretrained checkpoint: k-NN, linear probe, t-SNE, embeddings export, k-NN against training minutes.",
        subcommands = {EvalCommand.Knn.class, EvalCommand.Linear.class, EvalCommand.Tsne.class, EvalCommand.Embed.class,
                EvalCurve.class})
public final class EvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Options shared by the evaluations. */
    static class Common {
        @Option(names = "--checkpoint", paramLabel = "RUN_DIR", description = "Run directory (its latest checkpoint) or a checkpoint .zip.")
        Path checkpoint;

        @Option(names = "--weights", paramLabel = "FILE",
                description = "A pretrained DINO checkpoint (.pth/.safetensors) instead of a run (knn and linear; needs --data).")
        Path weights;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
                description = "Images per forward pass with --weights (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Mixin
        WeightsOptions load = new WeightsOptions();

        @Option(names = "--data", paramLabel = "SOURCE", description = "synthetic | idx:DIR | images:DIR (default: the run's data).")
        String source;

        @Option(names = "--student", description = "Use the student's weights (default: the teacher's, as in the paper).")
        boolean student;

        @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: RUN_DIR/eval, also for a .zip in RUN_DIR/checkpoints).")
        Path out;

        @Option(names = "--threads", paramLabel = "N", description = "ND4J threads (default: the run's; at most the machine's cores).")
        Integer threads;

        @Mixin
        DataReadOptions dataRead = new DataReadOptions();

        DinoConfig cfg;
        TrainData data;
        CoreNetwork net;
        PretrainedDino dino;
        PretrainedData pretrained;

        /** Seed of the probe / t-SNE: the run's, or 0 for a pretrained checkpoint. */
        long seed() {
            return cfg != null ? cfg.run().seed() : 0;
        }

        void open() throws Exception {
            if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            if ((checkpoint == null) == (weights == null)) {
                throw new IllegalArgumentException("give exactly one of --checkpoint RUN_DIR or --weights FILE");
            }
            if (weights != null) {
                if (source == null) {
                    throw new IllegalArgumentException("--data is required with --weights (images:DIR, idx:DIR or synthetic)");
                }
                pretrained = PretrainedData.open(source, 10_000);
                dino = load.load(weights, Threads.clamp(threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                        "--threads", System.err));
                System.err.println("dino eval: " + dino.describe() + " (" + weights + "), " + pretrained.description());
                if (out == null) {
                    out = Path.of("eval");
                }
                RunDirectory.requireWritableOutput(out, "--out", source);
                return;
            }
            DinoConfig c = RunModels.config(checkpoint);
            if (source != null) c = ConfigLoader.override(c, Map.of("data.source", source));
            cfg = c;
            if (out == null) out = RunModels.runRoot(checkpoint).resolve("eval");
            RunDirectory.requireWritableOutput(out, "--out", cfg.data().source());
            DinoRuntime.setThreads(Threads.clamp(threads != null ? threads : cfg.run().threads(), "--threads", System.err));
            this.data = TrainData.open(cfg.data(), dataRead.toOptions());
            net = RunModels.load(checkpoint, student, this.data.channels());
        }

        Embeddings memory(Integer evalSize) {
            if (dino != null) {
                PretrainedData.Split s = pretrained.train();
                return pretrainedFeatures(s.spread(Math.min(s.size(), evalSize == null ? 60_000 : evalSize)), "memory");
            }
            int n = Math.min(data.train().size(), evalSize == null ? 60_000 : evalSize);
            return Features.extract(net::features, TrainData.evalBatches(SubsetDataset.spread(data.train(), n), 256,
                    cfg.data().crops().normalization()).get(), true);
        }

        Embeddings queries() {
            if (dino != null) {
                return pretrainedFeatures(pretrained.queries(), "queries");
            }
            return Features.extract(net::features, TrainData.evalBatches(data.queries(), 256,
                    cfg.data().crops().normalization()).get(), true);
        }

        void requireRun(String what) {
            if (weights != null) {
                throw new IllegalArgumentException("dino eval " + what + " works on a run (--checkpoint); for a pretrained "
                        + "checkpoint use dino eval knn|linear or dino embed");
            }
        }

        private Embeddings pretrainedFeatures(PretrainedData.Split split, String what) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
            }
            Progress p = new Progress(System.err, split.size(), what + " images");
            try (PreprocessedBatches it = split.batches(batchSize)) {
                Embeddings e = Features.extract(x -> {
                    INDArray f = dino.features(x);
                    p.advance((int) x.size(0));
                    return f;
                }, it, true);
                p.finish();
                return e;
            }
        }
    }

    static void checkEvalSize(Integer evalSize) {
        if (evalSize != null && evalSize < 1) throw new IllegalArgumentException("--eval-size must be >= 1, got " + evalSize);
    }

    /** {@code dino eval knn}. */
    @Command(name = "knn", mixinStandardHelpOptions = true, description = "Weighted k-NN (cosine, votes exp(sim/T)); writes knn.json.")
    static final class Knn extends Common implements Callable<Integer> {
        @Option(names = "--k", split = ",", paramLabel = "K", description = "Neighbour counts (default 10,20,100,200, those the memory holds).")
        int[] ks;

        @Option(names = "--temperature", paramLabel = "T", description = "Vote temperature, > 0 (default 0.07).")
        double t = KnnOptions.DEFAULT_TEMPERATURE;

        @Option(names = "--eval-size", paramLabel = "N", description = "Training images used as the memory (default all, at most 60000).")
        Integer evalSize;

        @Override
        public Integer call() throws Exception {
            checkEvalSize(evalSize);
            if (ks != null) {
                for (int k : ks) if (k < 1) throw new IllegalArgumentException("--k values must be >= 1, got " + k);
                if (Arrays.stream(ks).distinct().count() != ks.length) {
                    throw new IllegalArgumentException("--k values must be distinct, got " + Arrays.toString(ks));
                }
            }
            if (!(t > 0) || !Double.isFinite(t)) throw new IllegalArgumentException("--temperature must be > 0, got " + t);
            open();
            KnnResult r;
            try {
                Embeddings mem = memory(evalSize);
                int[] use = knnList(ks, mem.size(), System.err);
                r = Evaluation.knn(mem, queries(), new KnnOptions(use, t, KnnOptions.DEFAULT_CHUNK_SIZE), out);
            } finally {
                if (dino != null) {
                    dino.close();
                }
            }
            System.out.println(r.toJson());
            System.err.println("wrote " + out.resolve(Evaluation.KNN_JSON));
            return 0;
        }

        /**
         * The k list: the given one (each at most the memory size, else an error), or the default list clipped to
         * the memory size with a notice (the memory size itself when it holds fewer than 10 images).
         */
        static int[] knnList(int[] given, int memory, java.io.PrintStream err) {
            if (given != null) {
                for (int k : given) {
                    if (k > memory) {
                        throw new IllegalArgumentException("--k " + k + " is larger than the k-NN memory of " + memory
                                + " images (--eval-size, or the training set); use k <= " + memory);
                    }
                }
                return given;
            }
            int[] ks = Arrays.stream(KnnOptions.DEFAULT_KS).filter(k -> k <= memory).toArray();
            if (ks.length == KnnOptions.DEFAULT_KS.length) return ks;
            if (ks.length == 0) ks = new int[]{memory};
            err.println("dino: note: the k-NN memory holds " + memory + " images: k = " + Arrays.toString(ks)
                    + " instead of the default " + Arrays.toString(KnnOptions.DEFAULT_KS));
            return ks;
        }
    }

    /** {@code dino eval linear}. */
    @Command(name = "linear", mixinStandardHelpOptions = true, description = "Linear probe (multinomial logistic regression); writes linear.json.")
    static final class Linear extends Common implements Callable<Integer> {
        @Option(names = "--eval-size", paramLabel = "N", description = "Training images the probe is trained on (default all, at most 60000).")
        Integer evalSize;

        @Override
        public Integer call() throws Exception {
            checkEvalSize(evalSize);
            open();
            LinearProbeResult r;
            try {
                r = Evaluation.linear(memory(evalSize), queries(), LinearProbeOptions.defaults(seed()), out);
            } finally {
                if (dino != null) {
                    dino.close();
                }
            }
            System.out.println(r.toJson());
            System.err.println("wrote " + out.resolve(Evaluation.LINEAR_JSON));
            return 0;
        }
    }

    /** {@code dino eval tsne}. */
    @Command(name = "tsne", mixinStandardHelpOptions = true, description = "t-SNE of held-out features; writes tsne.png, tsne.csv, tsne.json.")
    static final class Tsne extends Common implements Callable<Integer> {
        /** Fewest points a t-SNE is drawn of (perplexity ≥ 1 needs 3·perplexity ≤ n − 1). */
        static final int MIN_POINTS = 4;

        @Option(names = "--points", paramLabel = "N", defaultValue = "2000", description = "Held-out points, >= 4 (default ${DEFAULT-VALUE}).")
        int points;

        @Override
        public Integer call() throws Exception {
            requireRun("tsne");
            if (points < MIN_POINTS) throw new IllegalArgumentException("--points must be >= " + MIN_POINTS + ", got " + points);
            open();
            if (data.queries().size() < MIN_POINTS) {
                throw new IllegalArgumentException("the held-out set has " + data.queries().size() + " images; a t-SNE needs at least "
                        + MIN_POINTS + " (raise data.heldOut)");
            }
            Embeddings q = queries();
            int n = Math.min(points, q.size());
            List<String> names = new ArrayList<>();
            for (int c = 0; c < data.queries().numClasses(); c++) names.add(data.queries().className(c));
            TsneSummary s = Evaluation.tsne(new Embeddings(Arrays.copyOf(q.features(), n), Arrays.copyOf(q.labels(), n)),
                    TsneOptions.defaults(cfg.run().seed()).withPerplexity(Math.min(30, Math.max(1, (n - 1) / 3.0))), names, out);
            System.out.println(s.toJson());
            System.err.println("wrote " + out.resolve(Evaluation.TSNE_PNG));
            return 0;
        }
    }

    /** {@code dino eval embed}. */
    @Command(name = "embed", mixinStandardHelpOptions = true, description = "Export L2-normalised features + labels as CSV and NPY.")
    static final class Embed extends Common implements Callable<Integer> {
        @Option(names = "--eval-size", paramLabel = "N", description = "Training images exported (default all, at most 60000).")
        Integer evalSize;

        @Override
        public Integer call() throws Exception {
            requireRun("embed");
            checkEvalSize(evalSize);
            open();
            Evaluation.embed(memory(evalSize), out, "train_embeddings");
            Evaluation.embed(queries(), out, "test_embeddings");
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of(
                    "train", out.resolve("train_embeddings.npy").toString(), "test", out.resolve("test_embeddings.npy").toString())));
            return 0;
        }
    }
}
