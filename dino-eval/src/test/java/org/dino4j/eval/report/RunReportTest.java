package org.dino4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dino4j.eval.Evaluation;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.linear.LinearProbeOptions;
import org.dino4j.eval.tsne.TsneOptions;
import org.dino4j.eval.tsne.TsneSummary;
import org.jfree.data.xy.XYSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    @TempDir
    Path run;

    private static Embeddings blobs(int n, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][8];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 8; j++) {
                x[i][j] = (float) (0.3 * r.nextGaussian() + (j == y[i] ? 3 : 0));
            }
        }
        return new Embeddings(x, y);
    }

    @Test
    void writesASelfContainedReportFromARunDirectory() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int it = 0; it < 30; it++) {
            lines.add(String.format(java.util.Locale.ROOT, "{\"iter\":%d,\"epoch\":%d,\"loss\":%.4f,\"lr\":%.5f,\"teacher_temp\":0.04}",
                    it, it / 10, 10.0 / (1 + it), 0.001 * it));
            if (it % 10 == 9) {
                lines.add(String.format(java.util.Locale.ROOT, "{\"epoch\":%d,\"teacher_entropy\":%.3f,\"kl\":%.3f,\"knn_top1\":0.5}",
                        it / 10, 8.0 - it / 10, 0.1 * (it / 10)));
                lines.add("");
            }
        }
        Files.write(run.resolve(RunReport.METRICS_FILE), lines);
        Embeddings train = blobs(150, 1);
        Embeddings test = blobs(30, 2);
        KnnResult knn = Evaluation.knn(train, test, new KnnOptions(new int[] {10, 20, 100}, 0.07, 16), run);
        Evaluation.linear(train, test, LinearProbeOptions.builder().epochs(10).batchSize(32).weightDecay(0).seed(1).build(), run);
        TsneSummary ts = Evaluation.tsne(train, TsneOptions.defaults(3).withIterations(500), null, run);
        assertTrue(ts.trustworthiness() > 0.9 && ts.silhouette() > 0.5, ts.toString());
        for (String f : List.of(Evaluation.KNN_JSON, Evaluation.LINEAR_JSON, Evaluation.TSNE_PNG,
                Evaluation.TSNE_CSV, Evaluation.TSNE_JSON)) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(151, Files.readAllLines(run.resolve(Evaluation.TSNE_CSV)).size());

        Path html = RunReport.write(run);
        String s = Files.readString(html);
        for (KnnResult.PerK p : knn.perK()) {
            String row = String.format(java.util.Locale.ROOT, "<tr><td>%d</td><td>%.2f</td><td>%.2f</td></tr>", p.k(), 100 * p.top1(),
                    100 * p.top5());
            assertTrue(s.contains(row), "k-NN row " + row);
        }
        assertTrue(s.contains(String.format(java.util.Locale.ROOT, "trustworthiness (k = 5) %.4f", ts.trustworthiness())));
        // loss, entropy, per-epoch, schedules and t-SNE: five inlined PNGs that decode as PNG
        Matcher m = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)").matcher(s);
        int images = 0;
        while (m.find()) {
            byte[] png = Base64.getDecoder().decode(m.group(1));
            assertEquals((byte) 0x89, png[0]);
            assertEquals("PNG", new String(png, 1, 3));
            images++;
        }
        assertEquals(5, images);
        assertTrue(s.contains("Linear probe"));
    }

    @Test
    void seriesToleratesMissingFields() throws IOException {
        Path f = run.resolve("m.jsonl");
        Files.writeString(f, "{\"iter\":0,\"loss\":2.5}\n\n{\"loss\":2.0}\n{\"iter\":5}\n{\"iter\":6,\"loss\":\"x\"}\n");
        List<JsonNode> rows = RunReport.readJsonl(f);
        assertEquals(4, rows.size());
        Map<String, XYSeries> s = RunReport.series(rows, "iter", new String[] {"loss", "lr"});
        assertEquals(1, s.size());
        XYSeries loss = s.get("loss");
        assertEquals(2, loss.getItemCount());
        assertEquals(0.0, loss.getX(0).doubleValue());
        assertEquals(2.5, loss.getY(0).doubleValue());
        assertEquals(1.0, loss.getX(1).doubleValue()); // no "iter": record index 1
        assertEquals(2.0, loss.getY(1).doubleValue());
        // a report with only metrics works and says what is missing
        Path html = RunReport.write(f, null, null, null, null, run.resolve("r.html"), "t");
        assertTrue(Files.readString(html).contains("Teacher entropy and KL: no data in the log."));
    }

    @Test
    void badFilesAreNamed() throws IOException {
        IOException e = assertThrows(IOException.class, () -> RunReport.write(run));
        assertTrue(e.getMessage().contains("metrics log not found") && e.getMessage().contains("metrics.jsonl"),
                e.getMessage());
        Path f = run.resolve(RunReport.METRICS_FILE);
        Files.writeString(f, "{\"iter\":0}\n{oops\n");
        e = assertThrows(IOException.class, () -> RunReport.write(run));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        Files.writeString(f, "{\"iter\":0}\n[1,2]\n");
        e = assertThrows(IOException.class, () -> RunReport.write(run));
        assertTrue(e.getMessage().contains("line 2 is not a JSON object"), e.getMessage());
    }
}
