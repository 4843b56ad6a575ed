package org.dino4j.train.run;

import org.dino4j.augment.transform.Normalization;
import org.dino4j.core.DinoRuntime;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.CropBatches;
import org.dino4j.train.DinoTrainer;
import org.dino4j.train.OnlineKnn;
import org.dino4j.core.io.AtomicFiles;
import org.dino4j.train.checkpoint.Checkpoint;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.checkpoint.CorruptCheckpointException;
import org.dino4j.train.monitor.MetricsLog;
import org.dino4j.train.monitor.RunSummary;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DataScaling;
import org.dino4j.train.config.DinoConfig;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs {@code dino train}: resolve and validate the config, open the data (both before anything is written),
 * create or resume the run directory (locked by {@link RunLock} while this process writes it), train with
 * checkpoints, export the teacher backbone, then evaluate (k-NN vs baselines, t-SNE, report) and print where
 * everything is.
 *
 * <p>A resume is transactional: the checkpoint is loaded, the new config is checked against the one it was written
 * with ({@link ResumeRules}) and the training images against the run's {@code data.json} ({@link DataIdentity});
 * only then are {@code config.yaml} and {@code data.json} rewritten and training continues. A refused resume leaves
 * the run directory exactly as it was.
 */
public final class TrainingRun {
    /** Default preset of {@code dino train} on the synthetic data: the README's main job. */
    public static final String DEFAULT_PRESET = "synthetic-main";
    /** Default preset of {@code dino train} for image folders and IDX files ({@link #defaultPreset}). */
    public static final String IMAGES_PRESET = "images";
    /** Upper bound of the online k-NN memory (training images). */
    public static final int ONLINE_MEMORY = 5000;
    /** Upper bound of the online k-NN queries. */
    public static final int ONLINE_QUERIES = 1000;
    /** Upper bound of the final k-NN memory. */
    public static final int FINAL_MEMORY = 60_000;

    private final TrainRequest req;
    private final PrintStream out;
    private final PrintStream err;

    /** @param req the request; {@code out} gets the results, {@code err} the progress. */
    public TrainingRun(TrainRequest req, PrintStream out, PrintStream err) {
        this.req = req;
        this.out = out;
        this.err = err;
    }

    /** Resolves the config of the request (validated), without touching the run directory. */
    public DinoConfig resolveConfig() throws java.io.IOException {
        RunDirectory rd = new RunDirectory(req.out());
        if (req.resume()) {
            requireResumable(rd);
            return ConfigLoader.override(runConfig(rd, loadCheckpoint(rd)), req.overrides());
        }
        if (rd.nonEmpty()) {
            throw new IllegalArgumentException("run directory " + rd.root() + " already exists and is not empty; pass --resume "
                    + "to continue the run in it, or choose a new --out (nothing is overwritten)");
        }
        return ConfigLoader.load(req.preset(), req.configFile(), req.overrides(), defaultPreset(req.configFile(), req.overrides()));
    }

    /**
     * The preset used when neither {@code --preset} nor the config file names one: {@value #DEFAULT_PRESET} (the main
     * job) for the synthetic data, {@value #IMAGES_PRESET} (DINO's recipe adapted to the data's size) for any other source.
     */
    public static String defaultPreset(Path configFile, java.util.Map<String, String> overrides) throws java.io.IOException {
        String src = overrides == null ? null : overrides.get("data.source");
        if (src == null && configFile != null && Files.isRegularFile(configFile)) {
            src = ConfigLoader.load(DEFAULT_PRESET, configFile, null).data().source();
        }
        return src == null || src.equals("synthetic") ? DEFAULT_PRESET : IMAGES_PRESET;
    }

    private void requireResumable(RunDirectory rd) {
        if (Files.exists(rd.root()) && !Files.isDirectory(rd.root())) {
            throw new IllegalArgumentException("--out " + req.out() + " exists and is a file (a run directory was expected)");
        }
        if (!Files.isRegularFile(rd.config())) {
            throw new IllegalArgumentException("--resume: " + rd.root() + " holds no run (no config.yaml); start a new run without --resume");
        }
        if (req.configFile() != null || req.preset() != null) {
            throw new IllegalArgumentException("--resume continues with the run's saved config " + rd.config()
                    + "; change settings with flags or --set, not --config/--preset");
        }
    }

    /** The checkpoint a resume continues from: {@code --resume-from}, else the latest (empty: none written yet). */
    private Optional<Checkpoint> loadCheckpoint(RunDirectory rd) throws java.io.IOException {
        if (req.resumeFrom() != null) {
            if (!Files.isRegularFile(req.resumeFrom())) {
                throw new IllegalArgumentException("--resume-from " + req.resumeFrom() + " is not a checkpoint file (e.g. "
                        + rd.checkpoints() + "/ckpt-000000008.zip)");
            }
            Path parent = req.resumeFrom().toRealPath().getParent();
            if (!Files.isDirectory(rd.checkpoints()) || !parent.equals(rd.checkpoints().toRealPath())) {
                throw new IllegalArgumentException("--resume-from " + req.resumeFrom() + " is not a checkpoint of " + rd.root()
                        + " (expected a file in " + rd.checkpoints() + ")");
            }
            return Optional.of(CheckpointStore.load(req.resumeFrom()));
        }
        return new CheckpointStore(rd.checkpoints(), 1).loadLatest();
    }

    /** The config a run's state was produced with: its checkpoint's, else its config.yaml (no checkpoint yet). */
    private static DinoConfig runConfig(RunDirectory rd, Optional<Checkpoint> c) throws java.io.IOException {
        return c.isPresent() ? ConfigLoader.fromJson(c.get().configJson()) : ConfigLoader.load("default", rd.config(), java.util.Map.of());
    }

    /** Runs and returns the exit code. */
    public int run() throws Exception {
        RunDirectory rd = new RunDirectory(req.out());
        if (!req.resume()) {
            DinoConfig cfg = resolveConfig();
            if (req.dryRun() && !cfg.run().adaptToData()) {
                out.print(ConfigLoader.toYaml(cfg));
                return 0;
            }
            if (!req.dryRun()) RunDirectory.requireWritableOutput(req.out(), "--out", cfg.data().source());
            cfg = withThreads(cfg);
            java.util.Set<String> explicit = ConfigLoader.explicitKeys(req.configFile(), req.overrides());
            cfg = withFolderChannels(cfg, explicit);
            TrainData data = openData(cfg);
            double alignment = cfg.run().adaptToData() ? DataScaling.alignment(data.train()) : Double.NaN;
            DataScaling.Result adapted = DataScaling.adapt(cfg, data.train().size(), alignment, explicit);
            cfg = adapted.config();
            if (!adapted.changes().isEmpty()) {
                err.printf(Locale.ROOT, "adapted to %,d training images (run.adaptToData):%n", data.train().size());
                for (String c : adapted.changes()) err.println("  " + c);
            }
            requireBatchFits(cfg, data);
            if (req.dryRun()) {
                out.print(ConfigLoader.toYaml(cfg));
                return 0;
            }
            Files.createDirectories(rd.root());
            try (RunLock lock = RunLock.acquire(rd.root(), "dino train")) {
                if (rd.nonEmpty()) {
                    throw new IllegalArgumentException("run directory " + rd.root() + " was filled by another process meanwhile;"
                            + " choose a new --out (nothing is overwritten)");
                }
                AtomicFiles.writeString(rd.config(), ConfigLoader.toYaml(cfg));
                data.identity().write(rd.root());
                return train(rd, cfg, data, Optional.empty());
            }
        }
        requireResumable(rd);
        try (RunLock lock = req.dryRun() ? null : RunLock.acquire(rd.root(), "dino train --resume")) {
            Optional<Checkpoint> c;
            try {
                c = loadCheckpoint(rd);
            } catch (CorruptCheckpointException e) {
                throw new java.io.IOException(e.message("--resume-from"), e);
            }
            DinoConfig run = runConfig(rd, c);
            DinoConfig cfg = ConfigLoader.override(run, req.overrides());
            String newRun = "start a new run with --out NEW_DIR (without --resume) to train with it";
            List<String> dataKeys = ResumeRules.check(run, cfg, true, "--resume", newRun);
            if (req.dryRun()) {
                out.print(ConfigLoader.toYaml(cfg));
                return 0;
            }
            RunDirectory.requireWritableOutput(req.out(), "--out", cfg.data().source());
            cfg = withThreads(cfg);
            TrainData data = openData(cfg);
            requireBatchFits(cfg, data);
            DataIdentity recorded = DataIdentity.read(rd.root());
            if (recorded != null && !recorded.sameImages(data.identity())) {
                throw new IllegalArgumentException("--resume: " + (dataKeys.isEmpty() ? "the training images changed"
                        : String.join(", ", dataKeys) + " changes the training images") + " (the run trained on "
                        + recorded.describe() + ", now " + data.identity().describe() + " from " + cfg.data().source()
                        + "): the run's step positions and data order would mean something else; " + newRun);
            }
            if (recorded == null) err.println("dino: note: " + rd.dataRecord() + " is missing (a run of an older version); recording "
                    + data.identity().describe() + " now");
            // everything checked: only now does the run directory change
            if (req.resumeFrom() != null && c.isPresent()) {
                for (Path moved : new CheckpointStore(rd.checkpoints(), 1).supersedeAfter(c.get().iteration())) {
                    err.println("dino: note: later checkpoint moved aside: " + moved);
                }
            }
            if (c.isEmpty()) MetricsLog.truncateForResume(rd.metrics(), 0, 0);
            AtomicFiles.writeString(rd.config(), ConfigLoader.toYaml(cfg));
            data.identity().write(rd.root());
            return train(rd, cfg, data, c);
        }
    }

    private DinoConfig withThreads(DinoConfig cfg) {
        int t = Threads.clamp(cfg.run().threads(), "run.threads", err);
        return t == cfg.run().threads() ? cfg : ConfigLoader.override(cfg, java.util.Map.of("run.threads", Integer.toString(t)));
    }

    private TrainData openData(DinoConfig cfg) throws java.io.IOException {
        DinoRuntime.setThreads(cfg.run().threads());
        boolean needQueries = cfg.run().knnEveryEpochs() > 0 || !req.noEval();
        TrainData data = TrainData.open(cfg.data(), req.dataOptions().withNeedQueries(needQueries));
        cfg.data().crops().requireMinSize(cfg.model().minInputSize()); // DinoConfig checked it, naming data.crops.*
        List<String> skipped = data.identity().skipped();
        if (!skipped.isEmpty()) {
            err.printf(Locale.ROOT, "dino: note: skipped %d unreadable or corrupt image(s) (--skip-corrupt), e.g. %s%n", skipped.size(),
                    String.join("; ", skipped.subList(0, Math.min(3, skipped.size()))));
        }
        return data;
    }

    /**
     * With {@code run.adaptToData}, an image folder of colour pictures is read as RGB ({@code data.channels} 3) unless
     * the user set {@code data.channels} ({@link FolderDataset#holdsColour}).
     */
    private DinoConfig withFolderChannels(DinoConfig cfg, java.util.Set<String> explicit) throws java.io.IOException {
        String src = cfg.data().source();
        if (!cfg.run().adaptToData() || explicit.contains("data.channels") || cfg.data().channels() == 3 || !src.startsWith("images:")) {
            return cfg;
        }
        Path dir = Path.of(src.substring("images:".length()));
        if (!Files.isDirectory(dir) || !org.dino4j.augment.data.FolderDataset.holdsColour(dir, 50)) return cfg;
        err.println("adapted: data.channels: 1 → 3 (the images of " + dir + " are in colour)");
        return ConfigLoader.override(cfg, java.util.Map.of("data.channels", "3"));
    }

    private static void requireBatchFits(DinoConfig cfg, TrainData data) {
        if (cfg.data().batchSize() > data.train().size()) {
            throw new IllegalArgumentException("data.batchSize must be <= the number of training images (" + data.train().size()
                    + "), got " + cfg.data().batchSize());
        }
    }

    private int train(RunDirectory rd, DinoConfig cfg, TrainData data, Optional<Checkpoint> resumeFrom) throws Exception {
        long seed = cfg.run().seed();
        CoreNetwork student = CoreNetwork.create(cfg.model(), data.channels(), seed);
        CoreNetwork teacher = student.copy();
        try (CropBatches batches = data.loader(cfg.data(), seed, cfg.model().minInputSize());
             DinoTrainer trainer = new DinoTrainer(cfg, student, teacher, batches, new DinoTrainer.Output(rd.root(), err, req.interactive()))) {
            if (req.resume()) {
                Optional<Checkpoint> c = resumeFrom;
                if (c.isPresent()) {
                    trainer.restore(c.get());
                    err.printf(Locale.ROOT, "resuming %s at epoch %d, iteration %d%n", rd.root(), trainer.epoch() + 1, trainer.iteration());
                } else {
                    err.println("no checkpoint in " + rd.checkpoints() + " yet: starting the run from the beginning");
                }
            }
            int k = cfg.run().knnEveryEpochs();
            Normalization norm = cfg.data().crops().normalization();
            if (k > 0) {
                trainer.setOnlineKnn(new OnlineKnn(
                        TrainData.evalBatches(SubsetDataset.spread(data.train(), ONLINE_MEMORY), 256, norm),
                        TrainData.evalBatches(SubsetDataset.head(data.queries(), ONLINE_QUERIES), 256, norm),
                        data.numClasses(), Math.min(cfg.run().knnK(), Math.min(ONLINE_MEMORY, data.train().size())),
                        cfg.run().knnTemperature()));
            }
            long total = trainer.schedules().totalIters();
            err.printf(Locale.ROOT, "dino train: %s%n  data: %s%n  model: %s, %,d parameters, K = %d%n"
                            + "  %d epochs x %d iterations of %d images (2 x %d² + %d x %d²), %d thread(s)%n"
                            + "  runtime: %s, SIMD kernels %s, SameDiff memory %s%s, student loss %s%n",
                    rd.root(), data.description(), cfg.model().describeBackbone(),
                    student.params().length(), cfg.model().outDim(), cfg.run().epochs(), batches.itersPerEpoch(),
                    cfg.data().batchSize(), cfg.data().crops().globalSize(), cfg.data().crops().numLocal(), cfg.data().crops().localSize(),
                    cfg.run().threads(), org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName(),
                    org.dino4j.core.util.Simd.enabled() ? "on (" + org.dino4j.core.util.Simd.floatLanes() + " float lanes)" : "off",
                    student.model().plans().sessionMemory().resolved().name().toLowerCase(Locale.ROOT),
                    org.dino4j.core.exec.ReleasingMemoryMgr.tcmallocPreloaded() ? " (tcmalloc)" : "",
                    student.model().fusedLoss() ? "fused (DinoLoss kernels)" : "in graph");
            long t0 = System.nanoTime();
            long stop = req.stopAfter() == null ? total : Math.min(total, req.stopAfter());
            if (trainer.iteration() < stop) trainer.train(stop);
            double minutes = (System.nanoTime() - t0) / 60e9;
            if (trainer.iteration() < total) {
                out.printf(Locale.ROOT, "stopped at iteration %d of %d; continue with: ./dino train --out %s --resume%n",
                        trainer.iteration(), total, req.out());
                return 0;
            }
            Path tmpBackbone = rd.root().resolve(AtomicFiles.TMP_PREFIX + rd.teacherBackbone().getFileName());
            teacher.exportBackbone(tmpBackbone); // written aside, then moved into place: never half a file
            Files.move(tmpBackbone, rd.teacherBackbone(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            out.printf(Locale.ROOT, "trained %d epochs in %.1f min%n", cfg.run().epochs(), minutes);
            double finalTop1 = Double.NaN;
            if (!req.noEval()) {
                int mem = Math.min(data.train().size(), req.evalSize() == null ? FINAL_MEMORY : req.evalSize());
                // the training shapes' plans are not needed any more: their memory goes back before the evaluation's
                student.releasePlans();
                teacher.releasePlans();
                System.gc();
                CoreNetwork random = CoreNetwork.create(cfg.model(), data.channels(), seed);
                FinalEvaluation.Result r = FinalEvaluation.run(rd, teacher, random,
                        SubsetDataset.spread(data.train(), mem), data.queries(), cfg.data().crops().normalization(),
                        req.tsnePoints(), seed, err);
                out.printf(Locale.ROOT, "%nweighted k-NN (k=%d, T=%.2f), %d memory / %d held-out images:%n",
                        r.k(), FinalEvaluation.T, r.memory(), r.queries());
                if (mem < data.train().size()) {
                    out.printf(Locale.ROOT, "  (memory = %d of the %d training images, spread evenly; --eval-size %d uses all)%n",
                            mem, data.train().size(), data.train().size());
                }
                out.printf(Locale.ROOT, "  %-22s %6.2f%%%n", "DINO (teacher)", 100 * r.dino());
                out.printf(Locale.ROOT, "  %-22s %6.2f%%%n", "raw pixels", 100 * r.rawPixels());
                out.printf(Locale.ROOT, "  %-22s %6.2f%%%n", "random-init network", 100 * r.randomInit());
                finalTop1 = r.dino();
            }
            List<String> summary = RunSummary.read(rd.metrics(), cfg.model().outDim()).lines(finalTop1);
            if (!summary.isEmpty()) out.println();
            for (String line : summary) out.println(line);
            out.println();
            out.println("run:        " + rd.root());
            out.println("metrics:    " + rd.metrics());
            out.println("checkpoint: " + trainer.checkpoints().latestFile().map(Object::toString).orElse("-"));
            out.println("backbone:   " + rd.teacherBackbone());
            if (!req.noEval()) {
                if (req.tsnePoints() > 0) out.println("t-SNE:      " + rd.tsnePng());
                out.println("report:     " + rd.report());
            }
            return 0;
        }
    }
}
