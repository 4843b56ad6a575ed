package org.dino4j.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dino4j.eval.Evaluation;
import org.dino4j.eval.plot.Charts;
import org.dino4j.eval.plot.ScatterPlot;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Self-contained HTML report of a training run: loss and entropy curves from the metrics log, the k-NN table,
 * the linear-probe accuracy and the t-SNE picture with its metrics. Images are inlined as base64 PNGs, so the
 * single HTML file can be moved or mailed.
 *
 * <p>The metrics log is JSON Lines: one object per line with any of {@code iter, epoch, loss, lr, wd, momentum,
 * teacher_temp} (per iteration) and {@code teacher_entropy, mean_teacher_entropy, kl, center_norm, knn_top1}
 * (per epoch). Missing fields are skipped; a line without {@code iter} uses its line number; blank lines are
 * ignored; a line that is not a JSON object is an IOException naming the file and line.
 */
public final class RunReport {
    /** Metrics log file name inside a run directory. */
    public static final String METRICS_FILE = "metrics.jsonl";
    /** Report file name written into the run directory by {@link #write(Path)}. */
    public static final String REPORT_FILE = "report.html";

    private static final String[] ITER_FIELDS = {"loss"};
    private static final String[] SCHEDULE_FIELDS = {"lr", "wd", "momentum", "teacher_temp"};
    private static final String[] ENTROPY_FIELDS = {"teacher_entropy", "mean_teacher_entropy", "kl"};
    private static final String[] EPOCH_FIELDS = {"center_norm", "knn_top1"};

    private RunReport() {
    }

    /**
     * Writes {@code runDir/report.html} from {@code runDir/metrics.jsonl} (required) and, when present,
     * {@code knn.json}, {@code linear.json}, {@code tsne.png}, {@code tsne.json} (names from {@link Evaluation}).
     *
     * @return the report path
     */
    public static Path write(Path runDir) throws IOException {
        if (runDir == null || !Files.isDirectory(runDir)) {
            throw new IOException("run directory not found: " + runDir);
        }
        return write(runDir.resolve(METRICS_FILE), optional(runDir.resolve(Evaluation.KNN_JSON)),
                optional(runDir.resolve(Evaluation.LINEAR_JSON)), optional(runDir.resolve(Evaluation.TSNE_PNG)),
                optional(runDir.resolve(Evaluation.TSNE_JSON)), runDir.resolve(REPORT_FILE), runDir.toString());
    }

    private static Path optional(Path p) {
        return Files.isRegularFile(p) ? p : null;
    }

    /**
     * Writes a report from explicit files; every input but {@code metrics} may be null.
     *
     * @throws IOException a missing/unreadable file (named), or a malformed line / JSON file
     */
    public static Path write(Path metrics, Path knnJson, Path linearJson, Path tsnePng, Path tsneJson, Path outHtml,
                             String title) throws IOException {
        if (metrics == null || !Files.isRegularFile(metrics)) {
            throw new IOException("metrics log not found: " + metrics);
        }
        List<JsonNode> rows = readJsonl(metrics);
        ObjectMapper om = new ObjectMapper();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>dino4j run report</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;}")
                .append("table{border-collapse:collapse;}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right;}")
                .append("img{max-width:100%;}</style></head><body>\n");
        h.append("<h1>dino4j run report</h1>\n<p>").append(esc(title == null ? "" : title)).append("</p>\n");
        h.append("<p>").append(rows.size()).append(" metrics records from <code>").append(esc(metrics.toString()))
                .append("</code></p>\n");

        Map<String, XYSeries> perIter = series(rows, "iter", ITER_FIELDS);
        Map<String, XYSeries> schedules = series(rows, "iter", SCHEDULE_FIELDS);
        Map<String, XYSeries> entropy = series(rows, "epoch", ENTROPY_FIELDS);
        Map<String, XYSeries> perEpoch = series(rows, "epoch", EPOCH_FIELDS);
        h.append("<h2>Training curves</h2>\n");
        appendChart(h, "Loss", "iteration", "loss", perIter);
        appendChart(h, "Teacher entropy and KL", "epoch", "nats", entropy);
        appendChart(h, "Per-epoch metrics", "epoch", "value", perEpoch);
        appendChart(h, "Schedules", "iteration", "value", schedules);

        if (knnJson != null) {
            JsonNode k = readJson(om, knnJson);
            h.append("<h2>Weighted k-NN</h2>\n<p>memory ").append(k.path("memorySize").asInt())
                    .append(", queries ").append(k.path("numQueries").asInt()).append(", classes ")
                    .append(k.path("numClasses").asInt()).append(", T = ").append(k.path("temperature").asDouble())
                    .append("</p>\n<table><tr><th>k</th><th>top-1 (%)</th><th>top-5 (%)</th></tr>\n");
            for (JsonNode r : k.path("results")) {
                h.append(String.format(java.util.Locale.ROOT, "<tr><td>%d</td><td>%.2f</td><td>%.2f</td></tr>%n", r.path("k").asInt(),
                        100 * r.path("top1").asDouble(), 100 * r.path("top5").asDouble()));
            }
            h.append("</table>\n");
        }
        if (linearJson != null) {
            JsonNode l = readJson(om, linearJson);
            h.append(String.format(java.util.Locale.ROOT, "<h2>Linear probe</h2>%n<p>test top-1 %.2f %%, train top-1 %.2f %%, train loss %.4f</p>%n",
                    100 * l.path("testAccuracy").asDouble(), 100 * l.path("trainAccuracy").asDouble(),
                    l.path("trainLoss").asDouble()));
        }
        if (tsnePng != null || tsneJson != null) {
            h.append("<h2>t-SNE</h2>\n");
            if (tsneJson != null) {
                JsonNode t = readJson(om, tsneJson);
                h.append(String.format(java.util.Locale.ROOT, "<p>N = %d, trustworthiness (k = %d) %.4f, silhouette %.4f, KL %.4f, %.1f s</p>%n",
                        t.path("points").asInt(), t.path("trustworthinessK").asInt(),
                        t.path("trustworthiness").asDouble(), t.path("silhouette").asDouble(),
                        t.path("klDivergence").asDouble(), t.path("millis").asDouble() / 1000));
            }
            if (tsnePng != null) {
                if (!Files.isRegularFile(tsnePng)) {
                    throw new IOException("t-SNE picture not found: " + tsnePng);
                }
                h.append("<img alt=\"t-SNE\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(Files.readAllBytes(tsnePng))).append("\">\n");
            }
        }
        h.append("</body></html>\n");
        org.dino4j.core.io.AtomicFiles.writeString(outHtml, h.toString());
        return outHtml;
    }

    /** Parses a JSON Lines file into objects (blank lines skipped). */
    public static List<JsonNode> readJsonl(Path file) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode n;
            try {
                n = om.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(file + " line " + (i + 1) + " is not valid JSON: " + e.getOriginalMessage());
            }
            if (n == null || !n.isObject()) {
                throw new IOException(file + " line " + (i + 1) + " is not a JSON object");
            }
            out.add(n);
        }
        return out;
    }

    private static JsonNode readJson(ObjectMapper om, Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new IOException("file not found: " + p);
        }
        try {
            try (java.io.InputStream in = Files.newInputStream(p)) {
                return om.readTree(in);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(p + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Series y = field vs x = {@code xField} (row number when absent) over the rows that have a numeric field.
     * For per-epoch fields, rows without the field are skipped, so per-iteration rows do not add points.
     */
    static Map<String, XYSeries> series(List<JsonNode> rows, String xField, String[] fields) {
        Map<String, XYSeries> out = new LinkedHashMap<>();
        for (String f : fields) {
            XYSeries s = new XYSeries(f, false, true);
            for (int i = 0; i < rows.size(); i++) {
                JsonNode r = rows.get(i);
                JsonNode v = r.get(f);
                if (v != null && v.isNumber() && Double.isFinite(v.asDouble())) {
                    JsonNode x = r.get(xField);
                    s.add(x != null && x.isNumber() ? x.asDouble() : i, v.asDouble());
                }
            }
            if (s.getItemCount() > 0) {
                out.put(f, s);
            }
        }
        return out;
    }

    private static void appendChart(StringBuilder h, String title, String xLabel, String yLabel,
                                    Map<String, XYSeries> series) throws IOException {
        if (series.isEmpty()) {
            h.append("<p><i>").append(esc(title)).append(": no data in the log.</i></p>\n");
            return;
        }
        XYSeriesCollection ds = new XYSeriesCollection();
        series.values().forEach(ds::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, ds, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = Charts.whiteXY(chart);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int s = 0; s < ds.getSeriesCount(); s++) {
            r.setSeriesPaint(s, ScatterPlot.colour(s));
            r.setSeriesShapesVisible(s, ds.getSeries(s).getItemCount() < 60);
        }
        plot.setRenderer(r);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(bos, chart, 800, 400);
        h.append("<h3>").append(esc(title)).append("</h3>\n<img alt=\"").append(esc(title))
                .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(bos.toByteArray()))
                .append("\">\n");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
