package org.dino4j.train.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MonitorTest {
    @TempDir
    Path tmp;

    @Test
    void metricsLinesAreJsonAndResumeTruncationDropsTheTail() throws IOException {
        Path f = tmp.resolve("metrics.jsonl");
        try (MetricsLog m = new MetricsLog(f)) {
            for (int it = 0; it < 6; it++) {
                m.begin("iter").put("iter", it).put("epoch", it / 3).put("loss", 1.0 / (it + 1)).put("lr", Double.NaN).end();
                if (it % 3 == 2) m.begin("epoch").put("epoch", it / 3).put("iter", it + 1).put("note", "a\"b").end();
            }
        }
        List<JsonNode> all = MetricsLog.read(f);
        assertEquals(8, all.size());
        assertEquals(0.25, all.get(4).get("loss").asDouble(), 1e-9);
        assertTrue(all.get(0).get("lr").isNull(), "NaN is written as null");
        assertEquals("a\"b", all.get(3).get("note").asText());
        Files.writeString(f, Files.readString(f) + "{\"type\":\"iter\",\"it", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        MetricsLog.truncateForResume(f, 3, 1);
        List<JsonNode> kept = MetricsLog.read(f);
        assertEquals(4, kept.size(), "iterations 0..2 and epoch 0 remain");
        assertEquals("epoch", kept.get(3).get("type").asText());
    }

    @Test
    void collapseWarnings() {
        CollapseMonitor c = new CollapseMonitor(1024, 0.98, 0.02);
        double lnK = Math.log(1024);
        assertTrue(c.check(lnK, 0.99 * lnK, lnK, false).orElseThrow().contains("uniform"));
        assertTrue(c.check(2.0, 1.0, 0.01, false).orElseThrow().contains("one prototype"));
        assertTrue(c.check(3.0, 1.5, 5.0, false).isEmpty());
        // within the warm-up a near-uniform teacher is the starting point, not a collapse; one prototype still is
        assertTrue(c.check(lnK, 0.99 * lnK, lnK, true).isEmpty());
        assertTrue(c.check(2.0, 1.0, 0.01, true).orElseThrow().contains("one prototype"));
    }

    @Test
    void progressLineShowsTheNumbers() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ProgressBar p = new ProgressBar(new PrintStream(bos, true, StandardCharsets.UTF_8), false, 2);
        p.update(0, 3, 0, 4, 6.5, 1e-3, 0.996, 0.04, 200, 75);
        assertEquals("", bos.toString(StandardCharsets.UTF_8), "not on the print period");
        p.update(0, 3, 1, 4, 6.5, 1e-3, 0.996, 0.04, 200, 75);
        String s = bos.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("epoch 1/3 [##########----------] 2/4 loss 6.5000 lr 1.00e-03 m 0.99600 τt 0.0400 200 img/s ETA 1:15"), s);
        assertEquals("1:01:01", ProgressBar.formatDuration(3661));
    }
}
