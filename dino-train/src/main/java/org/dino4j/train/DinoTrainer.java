package org.dino4j.train;

import org.dino4j.augment.Seeds;
import org.dino4j.core.ema.Ema;
import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.model.ParamInfo;
import org.dino4j.core.optim.AdamW;
import org.dino4j.core.optim.GradientClipping;
import org.dino4j.train.checkpoint.Checkpoint;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.config.AblationConfig;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.monitor.CollapseMonitor;
import org.dino4j.train.monitor.MetricsLog;
import org.dino4j.train.monitor.PhaseTimer;
import org.dino4j.train.monitor.PhaseTimer.Phase;
import org.dino4j.train.monitor.ProgressBar;
import org.dino4j.train.schedule.TrainingSchedules;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The DINO training loop (Caron et al. 2021, Alg. 1; facebookresearch/dino {@code train_one_epoch}), on the CPU.
 *
 * <p>One step ({@link #step}), in the official order: per-iteration schedules → teacher forward on the 2 global
 * crops → student forward + backward on all crops with dino-core's {@link DinoLoss} against the teacher's logits
 * (its targets are data, so the stop-gradient is structural) → non-finite loss guard → per-tensor gradient clipping
 * → last-layer freezing during the first {@code freezeLastLayer} epochs → AdamW → EMA teacher update → center
 * update. Loss, optimizer, EMA and center are dino-core's kernels ({@code org.dino4j.core.loss},
 * {@code org.dino4j.core.optim}, {@code org.dino4j.core.ema}).
 *
 * <p>Ablations ({@code ablation} section of the config, used by {@code dino ablate}): without EMA the teacher is
 * set to the student after each step (momentum 0); without centering the center stays 0; without stop-gradient
 * the teacher is the student itself and the step runs the student's no-stop-gradient loss (its own p_t inside
 * the graph, {@link TrainableNetwork#selfDistillLossAndGradients}); the teacher copy is still kept equal to the
 * student, and the center is updated from the student's global logits.
 *
 * <p>Per-step inputs of the backbone (e.g. a ViT's drop path): the student's values of iteration {@code it} come from
 * {@code new Random(dropPathSeed(run.seed, it))}, so a run is deterministic per seed and a resumed run draws the same
 * masks as an uninterrupted one.
 *
 * <p>Every buffer of the step (the loss's targets and row weights, AdamW moments, clipping norms) is allocated once.
 */
public final class DinoTrainer implements AutoCloseable {
    /**
     * Where a trainer writes.
     *
     * @param runDir      the run directory ({@code metrics.jsonl}, {@code checkpoints/}).
     * @param log         where the progress line and warnings go (stderr).
     * @param interactive redraw the progress line in place.
     */
    public record Output(Path runDir, PrintStream log, boolean interactive) {}

    private final DinoConfig cfg;
    private final TrainableNetwork student;
    private final TrainableNetwork teacher;
    private final CropBatches data;
    private final CheckpointStore store;
    private final Path metricsFile;
    private final PrintStream err;
    private final ProgressBar bar;
    private final TrainingSchedules sched;
    private final List<ParamInfo> layout;
    private final AdamW adam;
    private final DinoLoss dinoLoss;
    private final Ema ema;
    private final CollapseMonitor collapse;
    private final PhaseTimer timer = new PhaseTimer();
    private final Random stepRng = new Random();
    private final double[] gradNorms;
    private final int batch;
    private final int numLocal;
    private final int k;

    private int epoch;
    private long iteration;
    /** Running sums of the current epoch: loss, H(p_t), H(p̄_t), count (kept across a mid-epoch resume). */
    private double lossSum, hSum, hMeanSum;
    private int epochCount;
    private OnlineKnn knn;
    private final List<Double> losses = new ArrayList<>();
    private final Map<Integer, Double> knnHistory = new LinkedHashMap<>();

    /**
     * @param cfg     the validated config.
     * @param student the student network (trained by AdamW).
     * @param teacher the teacher network, with the student's architecture and initial parameters.
     * @param data    the training batches.
     * @param out     the run directory and the progress output.
     */
    public DinoTrainer(DinoConfig cfg, TrainableNetwork student, TrainableNetwork teacher, CropBatches data, Output out)
            throws IOException {
        Path runDir = out.runDir();
        PrintStream err = out.log();
        java.nio.file.Files.createDirectories(runDir);
        this.cfg = cfg;
        this.student = student;
        this.teacher = teacher;
        this.data = data;
        this.err = err;
        this.store = new CheckpointStore(runDir.resolve("checkpoints"), cfg.run().keepCheckpoints());
        this.metricsFile = runDir.resolve("metrics.jsonl");
        this.bar = new ProgressBar(err, out.interactive(), cfg.run().logEveryIters());
        this.sched = TrainingSchedules.of(cfg, data.itersPerEpoch());
        this.layout = student.layout();
        int p = Math.toIntExact(student.params().length());
        if (teacher.params().length() != p) {
            throw new IllegalArgumentException("teacher must have the student's " + p + " parameters, got " + teacher.params().length());
        }
        if (student.gradients().length() != p) {
            throw new IllegalArgumentException("gradients must have " + p + " entries, got " + student.gradients().length());
        }
        this.adam = new AdamW(layout, new AdamW.Options(cfg.optim().beta1(), cfg.optim().beta2(), cfg.optim().eps()));
        this.batch = data.batchSize();
        this.numLocal = data.numLocal();
        this.k = student.outDim();
        int threads = cfg.run().threads();
        this.dinoLoss = new DinoLoss(new DinoLoss.Options(k, cfg.teacher().studentTemp(), cfg.teacher().centerMomentum(), threads));
        this.ema = new Ema(threads);
        this.collapse = new CollapseMonitor(k, 0.98, 0.02);
        this.gradNorms = new double[layout.size()];
    }

    /** Sets the online k-NN run every {@code run.knnEveryEpochs} epochs (null: none). */
    public void setOnlineKnn(OnlineKnn knn) {
        this.knn = knn;
    }

    /** The checkpoint store of this run. */
    public CheckpointStore checkpoints() {
        return store;
    }

    /** The schedules. */
    public TrainingSchedules schedules() {
        return sched;
    }

    /** Epoch of the next iteration. */
    public int epoch() {
        return epoch;
    }

    /** Global index of the next iteration. */
    public long iteration() {
        return iteration;
    }

    /** The losses of the iterations run by this trainer instance, in order. */
    public List<Double> losses() {
        return losses;
    }

    /** Online k-NN top-1 per epoch (1-based epoch count → accuracy) measured by this instance. */
    public Map<Integer, Double> knnHistory() {
        return knnHistory;
    }

    /** The phase timings. */
    public PhaseTimer timer() {
        return timer;
    }

    /** The center (live). */
    public INDArray center() {
        return dinoLoss.center();
    }

    /** Restores student, teacher, optimizer, center and position from a checkpoint of the same config. */
    public void restore(Checkpoint c) {
        DinoConfig saved = ConfigLoader.fromJson(c.configJson());
        if (!saved.model().equals(cfg.model())) {
            throw new IllegalArgumentException("checkpoint was written for model " + saved.model() + ", this run has " + cfg.model());
        }
        long p = student.params().length();
        if (c.student().length != p) {
            throw new IllegalArgumentException("checkpoint holds " + c.student().length + " parameters, the model has " + p);
        }
        if (c.center().length != k) throw new IllegalArgumentException("checkpoint center has " + c.center().length + " entries, K = " + k);
        if (c.iteration() > sched.totalIters()) {
            throw new IllegalArgumentException("checkpoint iteration " + c.iteration() + " is past the end of this run ("
                    + sched.totalIters() + " iterations); raise run.epochs to continue training");
        }
        assign(student.params(), c.student());
        assign(teacher.params(), c.teacher());
        adam.restore(c.adamM(), c.adamV(), c.adamSteps());
        assign(dinoLoss.center(), c.center());
        epoch = c.epoch();
        iteration = c.iteration();
        lossSum = c.epochSums().getOrDefault("loss", 0.0);
        hSum = c.epochSums().getOrDefault("teacher_entropy", 0.0);
        hMeanSum = c.epochSums().getOrDefault("mean_teacher_entropy", 0.0);
        epochCount = (int) Math.round(c.epochSums().getOrDefault("count", 0.0));
    }

    private static void assign(INDArray dst, float[] src) {
        dst.assign(Nd4j.createFromArray(src).reshape(dst.shape()));
    }

    /** Trains to the end of the schedule. */
    public void train() throws IOException {
        train(sched.totalIters());
    }

    /**
     * Trains until the global iteration {@code stopAt} (exclusive) or the end of the schedule, checkpointing every
     * epoch, every {@code run.checkpointEveryIters} iterations and at {@code stopAt}.
     *
     * @throws NonFiniteLossException when the loss is NaN/∞ (no checkpoint is written for that state).
     */
    public void train(long stopAt) throws IOException {
        int ipe = data.itersPerEpoch();
        long end = Math.min(stopAt, sched.totalIters());
        if (iteration > 0) MetricsLog.truncateForResume(metricsFile, iteration, epoch);
        try (MetricsLog metrics = new MetricsLog(metricsFile)) {
            while (iteration < end) {
                int from = (int) (iteration - (long) epoch * ipe);
                runEpoch(metrics, from, (int) Math.min(ipe, end - (long) epoch * ipe));
            }
        }
    }

    private void runEpoch(MetricsLog metrics, int from, int until) throws IOException {
        int ipe = data.itersPerEpoch();
        int n = 0;
        long t0 = System.nanoTime();
        Iterator<CropBatch> it = data.epoch(epoch, from);
        for (int i = from; i < until; i++) {
            timer.start();
            CropBatch b = it.next();
            double loss;
            try {
                loss = step(b, epoch, iteration);
            } finally {
                b.release(); // a step allocates nothing; the loader's crops are the only per-batch memory
            }
            losses.add(loss);
            lossSum += loss;
            hSum += dinoLoss.teacherEntropy();
            hMeanSum += dinoLoss.batchMeanTeacherEntropy();
            epochCount++;
            n++;
            int at = (int) iteration;
            metrics.begin("iter").put("iter", iteration).put("epoch", epoch).put("loss", loss)
                    .put("lr", sched.lr()[at]).put("wd", sched.wd()[at]).put("momentum", sched.momentum()[at])
                    .put("teacher_temp", sched.teacherTemp()[at]).end();
            iteration++;
            double secs = (System.nanoTime() - t0) / 1e9;
            double ips = n * batch / secs;
            bar.update(epoch, cfg.run().epochs(), i, ipe, loss, sched.lr()[at], sched.momentum()[at],
                    sched.teacherTemp()[at], ips, (until - i - 1) * secs / n);
            if (cfg.run().gcEveryIters() > 0 && iteration % cfg.run().gcEveryIters() == 0) {
                System.gc(); // ND4J frees off-heap buffers only when their Java objects are collected (docs/nd4j-pitfalls.md)
            }
            if (i + 1 < ipe && cfg.run().checkpointEveryIters() > 0 && iteration % cfg.run().checkpointEveryIters() == 0) {
                saveCheckpoint();
            }
        }
        if (until < ipe) { // stopped inside the epoch
            bar.message("stopped inside epoch " + (epoch + 1) + "; time per step: " + timer.summary());
            saveCheckpoint();
            return;
        }
        // epoch finished
        double meanLoss = lossSum / epochCount, h = hSum / epochCount, hMean = hMeanSum / epochCount;
        double centerNorm = dinoLoss.center().norm2Number().doubleValue();
        double imagesPerSec = n * batch / ((System.nanoTime() - t0) / 1e9);
        int done = epoch + 1;
        Double top1 = null;
        if (knn != null && cfg.run().knnEveryEpochs() > 0 && (done % cfg.run().knnEveryEpochs() == 0 || done == cfg.run().epochs())) {
            top1 = knn.top1(teacher::features);
            knnHistory.put(done, top1);
        }
        MetricsLog line = metrics.begin("epoch").put("epoch", epoch).put("iter", iteration).put("loss", meanLoss)
                .put("teacher_entropy", h).put("mean_teacher_entropy", hMean).put("kl", meanLoss - h)
                .put("center_norm", centerNorm).put("images_per_sec", imagesPerSec)
                .put("ms_data", timer.meanMs(Phase.DATA)).put("ms_teacher", timer.meanMs(Phase.TEACHER))
                .put("ms_student", timer.meanMs(Phase.STUDENT)).put("ms_optimizer", timer.meanMs(Phase.OPTIMIZER))
                .put("ms_ema", timer.meanMs(Phase.EMA)).put("ms_center", timer.meanMs(Phase.CENTER));
        if (top1 != null) line.put("knn_top1", top1);
        line.end();
        bar.message(String.format(Locale.ROOT, "epoch %d/%d: loss %.4f  H(p_t) %.3f  H(mean p_t) %.3f  KL %.3f  ln K %.3f  "
                        + "|c| %.3f  %.0f img/s%s", done, cfg.run().epochs(), meanLoss, h, hMean, meanLoss - h, collapse.lnK(),
                centerNorm, imagesPerSec, top1 == null ? "" : String.format(Locale.ROOT, "  k-NN top-1 %.2f%%", 100 * top1)));
        bar.message("  time per step: " + timer.summary());
        boolean inWarmUp = iteration <= TrainingSchedules.warmupIters(cfg.optim().warmupEpochs(), ipe);
        Optional<String> warn = collapse.check(meanLoss, h, hMean, inWarmUp);
        warn.ifPresent(bar::message);
        timer.reset();
        epoch++;
        lossSum = hSum = hMeanSum = 0;
        epochCount = 0;
        saveCheckpoint();
    }

    /**
     * One DINO training step, in the official order (see the class comment). Reads the schedules at
     * {@code it}; updates student, teacher and center in place.
     *
     * @return the DINO loss of this batch (before the update).
     * @throws NonFiniteLossException if the loss is not finite; nothing has been updated then.
     */
    public double step(CropBatch b, int ep, long it) {
        final int at = Math.toIntExact(it);
        final double lr = sched.lr()[at], wd = sched.wd()[at], momentum = sched.momentum()[at], tauT = sched.teacherTemp()[at];
        final AblationConfig abl = cfg.ablation();
        stepRng.setSeed(dropPathSeed(cfg.run().seed(), it)); // = new Random(seed), without the allocation
        dinoLoss.setTeacherTemp(tauT);
        timer.lap(Phase.DATA);

        INDArray zt;
        double loss;
        if (abl.stopGradient()) {
            // teacher forward on the 2 global crops; its logits are data for the student's loss (stop-gradient)
            zt = teacher.globalLogits(b.globals());
            timer.lap(Phase.TEACHER);

            // student forward + backward on all crops: the DINO loss against the teacher's logits, and dL/dθ
            loss = student.lossAndGradients(b.globals(), b.locals(), zt, dinoLoss, stepRng);
            timer.lap(Phase.STUDENT);
        } else {
            // ablation: no stop-gradient — the student is its own teacher, p_t computed and differentiated in its graph
            TrainableNetwork.SelfStep r = student.selfDistillLossAndGradients(b.globals(), b.locals(), dinoLoss, stepRng);
            timer.lap(Phase.STUDENT);
            zt = r.globalLogits();
            loss = r.loss();
            dinoLoss.targets(zt, numLocal); // only for the entropy statistics
            timer.lap(Phase.TEACHER);
        }
        if (!Double.isFinite(loss)) {
            String latest;
            try {
                latest = store.latestFile().map(Path::toString).orElse("none (no checkpoint was written yet)");
            } catch (IOException e) {
                latest = "unreadable: " + e.getMessage();
            }
            throw new NonFiniteLossException(String.format(Locale.ROOT,
                    "loss is %s at epoch %d, iteration %d (lr %.3g, τ_t %.3g); stopping. The last good checkpoint stays "
                            + "the latest: %s. Lower optim.lr or raise optim.warmupEpochs.", loss, ep, it, lr, tauT, latest));
        }

        // gradient clipping per parameter tensor, last-layer freezing, AdamW
        if (cfg.optim().clipGrad() > 0) GradientClipping.perTensor(student.gradients(), layout, cfg.optim().clipGrad(), gradNorms);
        boolean freeze = ep < cfg.optim().freezeLastLayer();
        if (freeze) GradientClipping.zeroLastLayer(student.gradients(), layout);
        adam.step(student.params(), student.gradients(), lr, wd, freeze);
        timer.lap(Phase.OPTIMIZER);

        // EMA teacher update θt ← λθt + (1−λ)θs (ablations without EMA: λ = 0, the teacher becomes the student)
        ema.update(teacher.params(), student.params(), abl.ema() ? momentum : 0.0);
        timer.lap(Phase.EMA);

        // center update c ← m·c + (1−m)·mean(z_t) (ablation without centering: c stays 0)
        if (abl.centering()) dinoLoss.updateCenter(zt);
        timer.lap(Phase.CENTER);
        timer.step();
        return loss;
    }

    /**
     * Seed of the drop-path masks of one iteration: a SplitMix64 mix of (run seed, iteration), so masks differ per
     * step and are reproduced exactly on resume.
     */
    public static long dropPathSeed(long seed, long iteration) {
        return Seeds.mix64(seed * 0x9E3779B97F4A7C15L + iteration + 0x632BE59BD9B4E019L);
    }

    /** Writes a checkpoint of the current state and makes it the latest. */
    public Path saveCheckpoint() throws IOException {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("dino4j", String.valueOf(Optional.ofNullable(DinoTrainer.class.getPackage().getImplementationVersion()).orElse("dev")));
        versions.put("nd4j", String.valueOf(Optional.ofNullable(Nd4j.class.getPackage().getImplementationVersion()).orElse("1.0.0-M2.1")));
        versions.put("backend", Nd4j.getBackend().getClass().getSimpleName());
        versions.put("java", System.getProperty("java.version"));
        Checkpoint c = Checkpoint.builder().epoch(epoch).iteration(iteration).student(student.params().toFloatVector())
                .teacher(teacher.params().toFloatVector()).adamM(adam.firstMoment()).adamV(adam.secondMoment())
                .adamSteps(adam.stepCounts()).center(dinoLoss.center().toFloatVector()).configJson(ConfigLoader.toJson(cfg))
                .versions(versions).rngState(Map.of("seed", cfg.run().seed()))
                .epochSums(Map.of("loss", lossSum, "teacher_entropy", hSum, "mean_teacher_entropy", hMeanSum,
                        "count", (double) epochCount)).build();
        return store.save(c);
    }

    @Override
    public void close() {
        dinoLoss.close();
        ema.close();
    }
}
