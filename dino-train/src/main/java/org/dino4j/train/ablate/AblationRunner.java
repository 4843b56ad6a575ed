package org.dino4j.train.ablate;

import org.dino4j.augment.transform.Normalization;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dino4j.augment.data.ImageDataset;
import org.dino4j.eval.Evaluation;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.WeightedKnn;
import org.dino4j.eval.metrics.EffectiveRank;
import org.dino4j.train.CoreNetwork;
import org.dino4j.core.io.AtomicFiles;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.monitor.MetricsLog;
import org.dino4j.train.run.DataOptions;
import org.dino4j.train.run.RunDirectory;
import org.dino4j.train.run.RunLock;
import org.dino4j.train.run.RunModels;
import org.dino4j.train.run.SubsetDataset;
import org.dino4j.train.run.TrainData;
import org.dino4j.train.run.TrainRequest;
import org.dino4j.train.run.TrainingRun;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code dino ablate}: trains full DINO and DINO with each trick removed ({@link AblationRow}) with one identical
 * budget (epochs, iterations, batch, data, seed, initial weights), then measures for each row the weighted k-NN
 * accuracy (k = 20, T = 0.07; the teacher, or the student for rows whose teacher is the student), the teacher
 * entropy H(p_t) and the entropy of the mean teacher output H(p̄_t) of the last epoch (against ln K), the effective
 * rank of the held-out backbone features ({@link EffectiveRank}) and the collapse mode ({@link #collapseMode}).
 * Writes {@code ablation.json}, {@code ablation.md} and {@code ablation.png} into the output directory; each row's
 * run directory {@code DIR/<row>} is kept (config, metrics, checkpoints, {@code knn.json}, {@code ablation-row.json}).
 */
public final class AblationRunner {
    /** Uniform collapse when the last epoch's H(p_t) ≥ this fraction of ln K. */
    public static final double UNIFORM_FRACTION = 0.9;
    /** One-prototype collapse when the last epoch's H(p̄_t) ≤ this fraction of ln K. */
    public static final double ONE_PROTOTYPE_FRACTION = 0.1;
    /** k of the k-NN (the paper's 20), T = {@link #T}. */
    public static final int K = 20;
    /** Vote temperature of the k-NN. */
    public static final double T = 0.07;
    /** Name of a row's result file inside its run directory. */
    public static final String ROW_FILE = "ablation-row.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What to run.
     *
     * @param preset      base preset (null: the config file's, else {@code dino train}'s default: {@code synthetic-main} or, for other data, {@code images}).
     * @param configFile  YAML/JSON config or null.
     * @param overrides   dotted keys applied to every row before the row's own.
     * @param out         output directory (new or empty unless {@code resume}).
     * @param rows        rows to run, in order.
     * @param evalSize    training images used as k-NN memory (at most).
     * @param resume      reuse finished rows in {@code out} and resume unfinished ones.
     * @param interactive progress redrawn in place.
     * @param dataOptions corrupt-image policy and image size limit (null: {@link DataOptions#DEFAULTS}).
     */
    public record Request(String preset, Path configFile, Map<String, String> overrides, Path out, List<AblationRow> rows,
                          int evalSize, boolean resume, boolean interactive, DataOptions dataOptions) {
        /** Checks presence and ranges. */
        public Request {
            if (out == null) throw new IllegalArgumentException("--out must be set");
            if (rows == null || rows.isEmpty()) throw new IllegalArgumentException("--only must name at least one row");
            if (evalSize < 1) throw new IllegalArgumentException("--eval-size must be >= 1, got " + evalSize);
            overrides = overrides == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
            rows = List.copyOf(rows);
            if (dataOptions == null) dataOptions = DataOptions.DEFAULTS;
        }

        /** A request with the default data options. */
        public Request(String preset, Path configFile, Map<String, String> overrides, Path out, List<AblationRow> rows,
                       int evalSize, boolean resume, boolean interactive) {
            this(preset, configFile, overrides, out, rows, evalSize, resume, interactive, null);
        }
    }

    /** One epoch's statistics of a row (from its metrics.jsonl). */
    public record EpochStat(int epoch, double loss, double teacherEntropy, double meanTeacherEntropy, Double knnTop1) {}

    /**
     * A row's measurements.
     *
     * @param row                the row id.
     * @param description        what it changes.
     * @param overrides          its config overrides.
     * @param evaluated          "teacher" or "student".
     * @param knnTop1            weighted k-NN top-1 (fraction) of the evaluated network's backbone features.
     * @param teacherEntropy     H(p_t) of the last epoch (nats, mean over its batches).
     * @param meanTeacherEntropy H(p̄_t) of the last epoch (nats).
     * @param lnK                ln K.
     * @param effectiveRank      effective rank of the held-out features.
     * @param featureDim         D.
     * @param collapse           {@code uniform}, {@code one prototype} or {@code none}.
     * @param trainMinutes       training wall time.
     * @param epochs             per-epoch statistics.
     * @param memory             k-NN memory size the row was evaluated with (null in files of older versions).
     */
    public record RowResult(String row, String description, Map<String, String> overrides, String evaluated, double knnTop1,
                            double teacherEntropy, double meanTeacherEntropy, double lnK, double effectiveRank, int featureDim,
                            String collapse, double trainMinutes, List<EpochStat> epochs, Integer memory) {}

    /** The whole table. */
    public record Result(DinoConfig base, double rawPixelsTop1, int memory, int queries, List<RowResult> rows) {}

    private final Request req;
    private final PrintStream err;

    /** @param req what to run; {@code err} gets the progress of every row. */
    public AblationRunner(Request req, PrintStream err) {
        this.req = req;
        this.err = err;
    }

    /**
     * The collapse mode of DINO's analysis (paper §5.3): {@code uniform} when H(p_t) ≥ {@value #UNIFORM_FRACTION}·ln K
     * (every teacher output is near-uniform: what sharpening prevents), {@code one prototype} when
     * H(p̄_t) ≤ {@value #ONE_PROTOTYPE_FRACTION}·ln K (all images go to the same few prototypes: what centering
     * prevents), else {@code none}.
     */
    public static String collapseMode(double teacherEntropy, double meanTeacherEntropy, double lnK) {
        if (teacherEntropy >= UNIFORM_FRACTION * lnK) return "uniform";
        if (meanTeacherEntropy <= ONE_PROTOTYPE_FRACTION * lnK) return "one prototype";
        return "none";
    }

    /** Validates everything, then runs the rows and writes the outputs. */
    public Result run() throws Exception {
        DinoConfig base = ConfigLoader.load(req.preset(), req.configFile(), req.overrides(), presetName());
        for (AblationRow r : req.rows()) ConfigLoader.override(base, r.overrides(base)); // every row valid before any work
        Path out = req.out();
        RunDirectory.requireWritableOutput(out, "--out", base.data().source());
        if (!req.resume() && new RunDirectory(out).nonEmpty()) {
            throw new IllegalArgumentException("output directory " + out + " already exists and is not empty; pass --resume "
                    + "to reuse its finished rows, or choose a new --out (nothing is overwritten)");
        }
        TrainData data = TrainData.open(base.data(), req.dataOptions().withNeedQueries(true));
        int mem = Math.min(req.evalSize(), data.train().size());
        if (req.resume()) AblationResume.check(out, req.rows(), base, data.identity(), mem);
        Files.createDirectories(out);
        try (RunLock lock = RunLock.acquire(out, "dino ablate")) {
            ImageDataset memory = SubsetDataset.spread(data.train(), mem);
            double raw = knnTop1(x -> x.reshape(x.size(0), x.length() / x.size(0)), memory, data.queries(),
                    base.data().crops().normalization());
            err.printf(Locale.ROOT, "dino ablate: %d rows x %d epochs (%s), k-NN raw pixels %.2f%%%n", req.rows().size(),
                    base.run().epochs(), base.model().describeBackbone(), 100 * raw);

            List<RowResult> results = new ArrayList<>();
            for (AblationRow row : req.rows()) {
                results.add(runRow(row, base, memory, data));
                Result partial = new Result(base, raw, mem, data.queries().size(), results);
                writeOutputs(partial); // after every row, so a long run shows its progress
            }
            return new Result(base, raw, mem, data.queries().size(), results);
        }
    }

    private RowResult runRow(AblationRow row, DinoConfig base, ImageDataset memory, TrainData data) throws Exception {
        Path dir = req.out().resolve(row.id());
        Path rowFile = dir.resolve(ROW_FILE);
        if (req.resume() && Files.isRegularFile(rowFile)) {
            err.println("ablate: row " + row.id() + " already finished in " + dir);
            try (java.io.InputStream in = Files.newInputStream(rowFile)) {
                return JSON.readValue(in, RowResult.class);
            }
        }
        Map<String, String> o = new LinkedHashMap<>(req.overrides());
        o.putAll(row.overrides(base));
        boolean resumeRow = req.resume() && new RunDirectory(dir).holdsRun();
        err.println("ablate: row " + row.id() + " — " + row.description(base) + (o.isEmpty() ? "" : " " + o));
        // a resumed row gets the same overrides as a new one (the invocation's, then the row's switch)
        TrainRequest.Builder tr = TrainRequest.builder().overrides(o).out(dir).noEval(true).tsnePoints(0)
                .interactive(req.interactive()).dataOptions(req.dataOptions());
        if (resumeRow) {
            tr.resume(true);
        } else {
            tr.preset(req.preset()).configFile(req.configFile());
        }
        long t0 = System.nanoTime();
        int code = new TrainingRun(tr.build(), err, err).run();
        if (code != 0) throw new IllegalStateException("row " + row.id() + " ended with exit code " + code);
        double minutes = (System.nanoTime() - t0) / 60e9;

        DinoConfig rc = RunModels.config(dir);
        Normalization norm = rc.data().crops().normalization();
        CoreNetwork net = RunModels.load(dir, !row.separateTeacher(), data.channels());
        Embeddings memE = Features.extract(net::features, TrainData.evalBatches(memory, 256, norm).get(), true);
        Embeddings rawQ = Features.extract(net::features, TrainData.evalBatches(data.queries(), 256, norm).get(), false);
        float[][] normQ = new float[rawQ.size()][];
        for (int i = 0; i < normQ.length; i++) {
            normQ[i] = rawQ.features()[i].clone();
            Features.normaliseInPlace(normQ[i]);
        }
        int k = Math.min(K, memory.size());
        double top1 = Evaluation.knn(memE, new Embeddings(normQ, rawQ.labels()),
                new KnnOptions(new int[]{k}, T, KnnOptions.DEFAULT_CHUNK_SIZE), dir).forK(k).top1();
        double erank = EffectiveRank.of(rawQ.features());
        List<EpochStat> epochs = new ArrayList<>();
        for (JsonNode n : MetricsLog.read(dir.resolve("metrics.jsonl"))) {
            if (!n.get("type").asText().equals("epoch")) continue;
            epochs.add(new EpochStat(n.get("epoch").asInt() + 1, n.get("loss").asDouble(), n.get("teacher_entropy").asDouble(),
                    n.get("mean_teacher_entropy").asDouble(), n.has("knn_top1") ? n.get("knn_top1").asDouble() : null));
        }
        if (epochs.isEmpty()) throw new IllegalStateException("row " + row.id() + " logged no epoch in " + dir);
        EpochStat last = epochs.get(epochs.size() - 1);
        double lnK = Math.log(rc.model().outDim());
        RowResult r = new RowResult(row.id(), row.description(base), row.overrides(base), row.separateTeacher() ? "teacher" : "student",
                top1, last.teacherEntropy(), last.meanTeacherEntropy(), lnK, erank, rawQ.dim(),
                collapseMode(last.teacherEntropy(), last.meanTeacherEntropy(), lnK), minutes, epochs, memory.size());
        AtomicFiles.writeString(rowFile, JSON.writeValueAsString(r));
        err.printf(Locale.ROOT, "ablate: %s: k-NN %.2f%%, H(p_t) %.3f, H(mean p_t) %.3f, ln K %.3f, effective rank %.1f/%d, collapse: %s%n",
                row.id(), 100 * top1, r.teacherEntropy(), r.meanTeacherEntropy(), lnK, erank, rawQ.dim(), r.collapse());
        return r;
    }

    private static double knnTop1(Function<INDArray, INDArray> f, ImageDataset memory, ImageDataset queries,
                                  Normalization norm) {
        Embeddings m = Features.extract(f, TrainData.evalBatches(memory, 256, norm).get(), true);
        Embeddings q = Features.extract(f, TrainData.evalBatches(queries, 256, norm).get(), true);
        int k = Math.min(K, memory.size());
        return new WeightedKnn(new KnnOptions(new int[]{k}, T, KnnOptions.DEFAULT_CHUNK_SIZE))
                .evaluate(m.features(), m.labels(), q.features(), q.labels(), Math.max(m.numClasses(), q.numClasses()))
                .forK(k).top1();
    }

    /** The base preset: the request's, else the one {@code dino train} would use (the main job on the synthetic data). */
    private String presetName() {
        try {
            if (req.preset() != null) return req.preset();
            return TrainingRun.defaultPreset(req.configFile(), req.overrides());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes ablation.json, ablation.md and ablation.png. */
    void writeOutputs(Result r) throws IOException {
        Path out = req.out();
        ObjectNode root = JSON.createObjectNode();
        root.put("preset", presetName());
        if (req.configFile() != null) root.put("config_file", req.configFile().toString());
        root.set("overrides", JSON.valueToTree(req.overrides()));
        root.put("epochs", r.base().run().epochs()).put("seed", r.base().run().seed()).put("batch_size", r.base().data().batchSize())
                .put("backbone", r.base().model().describeBackbone()).put("k", K).put("temperature", T)
                .put("memory", r.memory()).put("queries", r.queries()).put("raw_pixels_top1", r.rawPixelsTop1())
                .put("uniform_fraction", UNIFORM_FRACTION).put("one_prototype_fraction", ONE_PROTOTYPE_FRACTION);
        ArrayNode rows = root.putArray("rows");
        for (RowResult x : r.rows()) rows.add(JSON.valueToTree(x));
        AtomicFiles.writeString(out.resolve("ablation.json"), JSON.writeValueAsString(root));
        AtomicFiles.writeString(out.resolve("ablation.md"), markdown(r));
        plot(r, out.resolve("ablation.png"));
    }

    /** The Markdown table. */
    String markdown(Result r) {
        StringBuilder sb = new StringBuilder();
        DinoConfig b = r.base();
        sb.append("# DINO ablation\n\n");
        sb.append(String.format(Locale.ROOT, "Base: preset `%s`%s, %s, K = %d, %d epochs, batch %d, %d local crops, seed %d. "
                        + "Weighted k-NN (k = %d, T = %.2f): %d training images as memory, %d held-out queries; raw pixels %.2f%%.%n%n",
                presetName(),
                req.overrides().isEmpty() ? "" : " with " + req.overrides(), b.model().describeBackbone(), b.model().outDim(),
                b.run().epochs(), b.data().batchSize(), b.data().crops().numLocal(), b.run().seed(), K, T, r.memory(), r.queries(),
                100 * r.rawPixelsTop1()));
        sb.append("| row | evaluated | k-NN top-1 | H(p_t) | H(p̄_t) | ln K | effective rank | collapse | train min |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (RowResult x : r.rows()) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f%% | %.3f | %.3f | %.3f | %.1f / %d | %s | %.1f |%n", x.row(),
                    x.evaluated(), 100 * x.knnTop1(), x.teacherEntropy(), x.meanTeacherEntropy(), x.lnK(), x.effectiveRank(),
                    x.featureDim(), x.collapse(), x.trainMinutes()));
        }
        sb.append("\nRows: ");
        for (RowResult x : r.rows()) sb.append("`").append(x.row()).append("` = ").append(x.description()).append("; ");
        sb.append(String.format(Locale.ROOT, "%n%nEntropies: last epoch, mean over its batches (nats). Collapse: uniform when "
                + "H(p_t) ≥ %.2f·ln K, one prototype when H(p̄_t) ≤ %.2f·ln K, else none. Effective rank: exp of the entropy of "
                + "the normalised singular values of the centred held-out feature matrix (Roy & Vetterli 2007).%n",
                UNIFORM_FRACTION, ONE_PROTOTYPE_FRACTION));
        return sb.toString();
    }

    private static void plot(Result r, Path file) throws IOException {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (RowResult x : r.rows()) {
            ds.addValue(x.knnTop1(), "k-NN top-1", x.row());
            ds.addValue(x.teacherEntropy() / x.lnK(), "H(p_t) / ln K", x.row());
            ds.addValue(x.meanTeacherEntropy() / x.lnK(), "H(mean p_t) / ln K", x.row());
            ds.addValue(x.effectiveRank() / x.featureDim(), "effective rank / D", x.row());
        }
        JFreeChart chart = ChartFactory.createBarChart("DINO ablation (" + r.base().run().epochs() + " epochs)", "row", "fraction",
                ds, PlotOrientation.VERTICAL, true, false, false);
        chart.getCategoryPlot().getRangeAxis().setRange(0, 1.05);
        org.dino4j.core.io.AtomicFiles.writePng(file, chart.createBufferedImage(900, 500));
    }
}
