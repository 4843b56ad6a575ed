package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dino4j.core.io.AtomicFiles;
import org.dino4j.eval.Evaluation;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.plot.Charts;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.monitor.MetricsLog;
import org.dino4j.train.run.RunDirectory;
import org.dino4j.train.run.RunModels;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code dino eval curve}: the k-NN accuracy of a run against its training minutes. Every kept end-of-epoch checkpoint
 * of the run (keep them with {@code --set run.keepCheckpoints=N}) is evaluated with the protocol of the run's final
 * evaluation (teacher backbone, weighted k-NN, k 20, T 0.07, the memory of {@code --eval-size} training images, all
 * queries); the minutes of a checkpoint are the run's training time up to it, summed from the epoch lines of
 * {@code metrics.jsonl} (each epoch's steps × batch / its images per second: the steps with their data waits and
 * checkpoint writes, without the online k-NN). Writes {@code curve.json}, {@code curve.csv} and {@code curve.png} (with
 * the run's raw-pixel and random-init k-NN from {@code baselines.json} as horizontal lines when that file was measured
 * with the same memory and k).
 */
@Command(name = "curve", mixinStandardHelpOptions = true,
        description = "k-NN of every kept end-of-epoch checkpoint of a run against its training minutes; writes curve.json, curve.csv, curve.png.")
final class EvalCurve extends EvalCommand.Common implements Callable<Integer> {
    /** File names written into the output directory. */
    static final String JSON = "curve.json", CSV = "curve.csv", PNG = "curve.png";

    @Option(names = "--k", paramLabel = "K", description = "Neighbours (default ${DEFAULT-VALUE}).")
    int k = 20;

    @Option(names = "--temperature", paramLabel = "T", description = "Vote temperature, > 0 (default 0.07).")
    double t = KnnOptions.DEFAULT_TEMPERATURE;

    @Option(names = "--eval-size", paramLabel = "N", description = "Training images used as the memory (default all, at most 60000).")
    Integer evalSize;

    @Option(names = "--every", paramLabel = "N", description = "Evaluate every N-th kept epoch checkpoint, and always the last (default ${DEFAULT-VALUE}).")
    int every = 1;

    /** One evaluated checkpoint: the epochs done, its iteration, the training minutes up to it, the k-NN top-1. */
    record Point(int epoch, long iteration, double minutes, double top1) {}

    @Override
    public Integer call() throws Exception {
        requireRun("curve");
        EvalCommand.checkEvalSize(evalSize);
        if (k < 1) throw new IllegalArgumentException("--k must be >= 1, got " + k);
        if (every < 1) throw new IllegalArgumentException("--every must be >= 1, got " + every);
        if (!(t > 0) || !Double.isFinite(t)) throw new IllegalArgumentException("--temperature must be > 0, got " + t);
        if (checkpoint == null) throw new IllegalArgumentException("--checkpoint RUN_DIR is required for dino eval curve");
        if (!Files.isDirectory(checkpoint)) {
            throw new IllegalArgumentException("--checkpoint must be a run directory for dino eval curve, got " + checkpoint);
        }
        RunDirectory rd = new RunDirectory(checkpoint);
        Map<Long, EpochEnd> ends = epochEnds(rd.metrics(), RunModels.config(checkpoint).data().batchSize());
        // the end-of-epoch checkpoints, found by the iteration in their names: only those evaluated are read
        List<Path> kept = new ArrayList<>();
        for (Path f : new CheckpointStore(rd.checkpoints(), 1).list()) {
            if (ends.containsKey(CheckpointStore.iteration(f))) kept.add(f);
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("run directory " + rd.root() + " keeps no end-of-epoch checkpoint with an epoch line in "
                    + "metrics.jsonl (train with --set run.keepCheckpoints=N to keep them)");
        }
        open();
        if (k > Math.min(data.train().size(), evalSize == null ? 60_000 : evalSize)) {
            throw new IllegalArgumentException("--k " + k + " is larger than the k-NN memory; use a smaller k or a larger --eval-size");
        }
        Embeddings queries = null;
        List<Point> points = new ArrayList<>();
        int memory = 0;
        for (int i = 0; i < kept.size(); i++) {
            if (i % every != every - 1 && i != kept.size() - 1) continue;
            long iteration = CheckpointStore.iteration(kept.get(i));
            EpochEnd end = ends.get(iteration);
            net = RunModels.load(kept.get(i), student, data.channels());
            Embeddings mem = memory(evalSize);
            Embeddings q = queries();
            memory = mem.size();
            queries = q;
            KnnResult r = Evaluation.knn(mem, q, new KnnOptions(new int[]{k}, t, KnnOptions.DEFAULT_CHUNK_SIZE), null);
            Point p = new Point(end.epochsDone(), iteration, end.minutes(), r.forK(k).top1());
            points.add(p);
            System.err.printf(Locale.ROOT, "after epoch %d (iteration %d, %.1f min): k-NN top-1 %.2f%%%n", p.epoch(), p.iteration(),
                    p.minutes(), 100 * p.top1());
        }
        Baselines b = Baselines.read(rd.root().resolve("baselines.json"), memory, k);
        write(out, points, k, t, memory, queries.size(), b);
        System.out.println("wrote " + out.resolve(JSON) + ", " + out.resolve(CSV) + ", " + out.resolve(PNG));
        return 0;
    }

    /** The end of an epoch: the epochs done and the training minutes up to it. */
    record EpochEnd(int epochsDone, double minutes) {}

    /**
     * The end of each epoch, keyed by the epoch's last iteration; its minutes are the running sum of
     * (iterations of the epoch) × batch / (its images per second) over the {@code epoch} lines of the metrics log.
     */
    static Map<Long, EpochEnd> epochEnds(Path metrics, int batch) throws IOException {
        if (!Files.isRegularFile(metrics)) throw new IllegalArgumentException("run directory has no metrics log " + metrics);
        Map<Long, EpochEnd> out = new TreeMap<>();
        long prev = 0;
        double seconds = 0;
        for (JsonNode row : MetricsLog.read(metrics)) {
            if (!"epoch".equals(row.path("type").asText()) || !row.hasNonNull("images_per_sec")) continue;
            long iter = row.get("iter").asLong();
            double ips = row.get("images_per_sec").asDouble();
            if (!(ips > 0)) throw new IllegalArgumentException(metrics + ": epoch line at iteration " + iter + " has images_per_sec " + ips);
            seconds += (iter - prev) * (double) batch / ips;
            prev = iter;
            out.put(iter, new EpochEnd(row.get("epoch").asInt() + 1, seconds / 60));
        }
        return out;
    }

    /** The run's own baselines, when measured with the same memory size and k (else absent). */
    record Baselines(Double rawPixels, Double randomInit) {
        static Baselines read(Path file, int memory, int k) throws IOException {
            if (!Files.isRegularFile(file)) return new Baselines(null, null);
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            if (n.path("memory").asInt() != memory || n.path("k").asInt() != k) return new Baselines(null, null);
            return new Baselines(n.path("raw_pixels_top1").isNumber() ? n.get("raw_pixels_top1").asDouble() : null,
                    n.path("random_init_top1").isNumber() ? n.get("random_init_top1").asDouble() : null);
        }
    }

    static void write(Path dir, List<Point> points, int k, double t, int memory, int queries, Baselines b) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode().put("k", k).put("temperature", t).put("memory", memory).put("queries", queries);
        ArrayNode arr = root.putArray("points");
        StringBuilder csv = new StringBuilder("epoch,iteration,minutes,top1\n");
        for (Point p : points) {
            arr.addObject().put("epoch", p.epoch()).put("iteration", p.iteration()).put("minutes", p.minutes()).put("top1", p.top1());
            csv.append(String.format(Locale.ROOT, "%d,%d,%.3f,%.4f%n", p.epoch(), p.iteration(), p.minutes(), p.top1()));
        }
        if (b.rawPixels() != null) root.put("raw_pixels_top1", b.rawPixels());
        if (b.randomInit() != null) root.put("random_init_top1", b.randomInit());
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(JSON), om.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        AtomicFiles.writeString(dir.resolve(CSV), csv.toString());
        AtomicFiles.writePng(dir.resolve(PNG), chart(points, b).createBufferedImage(800, 450));
    }

    private static JFreeChart chart(List<Point> points, Baselines b) {
        XYSeriesCollection ds = new XYSeriesCollection();
        XYSeries dino = new XYSeries("DINO (teacher)", false, true);
        for (Point p : points) dino.add(p.minutes(), 100 * p.top1());
        ds.addSeries(dino);
        double end = points.isEmpty() ? 1 : points.get(points.size() - 1).minutes();
        addLevel(ds, "raw pixels", b.rawPixels(), end);
        addLevel(ds, "random-init network", b.randomInit(), end);
        JFreeChart chart = ChartFactory.createXYLineChart("k-NN top-1 against training minutes", "training minutes",
                "k-NN top-1 (%)", ds, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = Charts.whiteXY(chart);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        Color[] colours = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x7f7f7f)};
        for (int s = 0; s < ds.getSeriesCount(); s++) {
            r.setSeriesPaint(s, colours[s % colours.length]);
            r.setSeriesShapesVisible(s, s == 0);
            r.setSeriesStroke(s, s == 0 ? new BasicStroke(2f)
                    : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
        }
        plot.setRenderer(r);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart;
    }

    private static void addLevel(XYSeriesCollection ds, String name, Double top1, double end) {
        if (top1 == null) return;
        XYSeries s = new XYSeries(name, false, true);
        s.add(0, 100 * top1);
        s.add(end, 100 * top1);
        ds.addSeries(s);
    }
}
