package org.dino4j.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dino4j.eval.report.RunReport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the HTML report of a run directory: dino-eval's {@link RunReport} (curves, k-NN table, t-SNE) plus a
 * table "DINO vs raw pixels vs random init" from {@code baselines.json} when present.
 */
public final class Reports {
    private Reports() {}

    /** Writes {@code RUN_DIR/report.html} and returns its path. */
    public static Path write(Path runDir) throws IOException {
        if (!Files.isRegularFile(runDir.resolve("metrics.jsonl"))) {
            throw new IOException("run directory " + runDir + " has no metrics.jsonl (is it a dino run directory?)");
        }
        Path html = RunReport.write(runDir);
        Path b = runDir.resolve("baselines.json");
        if (Files.isRegularFile(b)) {
            JsonNode j;
            try (java.io.InputStream in = Files.newInputStream(b)) {
                j = new ObjectMapper().readTree(in);
            }
            String table = String.format(Locale.ROOT,
                    "<h2>k-NN: DINO vs baselines</h2>%n<p>weighted k-NN, k = %d, T = %.2f, memory %d, queries %d</p>%n"
                            + "<table><tr><th>features</th><th>top-1 (%%)</th></tr>%n"
                            + "<tr><td>DINO (teacher backbone)</td><td>%.2f</td></tr>%n"
                            + "<tr><td>raw pixels</td><td>%.2f</td></tr>%n"
                            + "<tr><td>random-init network</td><td>%.2f</td></tr></table>%n",
                    j.path("k").asInt(), j.path("temperature").asDouble(), j.path("memory").asInt(), j.path("queries").asInt(),
                    100 * j.path("dino_top1").asDouble(), 100 * j.path("raw_pixels_top1").asDouble(),
                    100 * j.path("random_init_top1").asDouble());
            String s = Files.readString(html, StandardCharsets.UTF_8);
            int at = s.indexOf("<h2>");
            s = at < 0 ? s.replace("</body>", table + "</body>") : s.substring(0, at) + table + s.substring(at);
            org.dino4j.core.io.AtomicFiles.writeString(html, s);
        }
        return html;
    }
}
