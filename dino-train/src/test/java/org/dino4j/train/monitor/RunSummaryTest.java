package org.dino4j.train.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RunSummaryTest {
    @TempDir
    Path tmp;

    private Path metrics(String... epochLines) throws IOException {
        StringBuilder b = new StringBuilder("{\"type\":\"iter\",\"iter\":0,\"epoch\":0,\"loss\":6.9}\n");
        for (String l : epochLines) b.append(l).append('\n');
        Path f = tmp.resolve("metrics.jsonl");
        Files.writeString(f, b.toString());
        return f;
    }

    private static String epoch(int e, double h, double hMean, Double knn) {
        return "{\"type\":\"epoch\",\"epoch\":" + e + ",\"iter\":" + (10 * e + 10) + ",\"loss\":3.0,\"teacher_entropy\":" + h
                + ",\"mean_teacher_entropy\":" + hMean + (knn == null ? "" : ",\"knn_top1\":" + knn) + "}";
    }

    @Test
    void aRunThatLostMoreThanTwoPointsSaysSoWithBothEpochs() throws IOException {
        RunSummary s = RunSummary.read(metrics(epoch(0, 3, 5, null), epoch(1, 2.5, 4.5, 0.9075), epoch(2, 6.0, 6.5, null),
                epoch(3, 6.56, 6.8, 0.7975)), 1024);
        assertEquals(4, s.lastEpoch());
        assertEquals(new RunSummary.EpochKnn(2, 0.9075), s.best().orElseThrow());
        assertEquals(new RunSummary.EpochKnn(4, 0.7975), s.last().orElseThrow());
        assertTrue(s.degraded());
        List<String> lines = s.lines(0.80);
        assertEquals("online k-NN: best 90.75% (epoch 2), last 79.75% (epoch 4); final evaluation 80.00%", lines.get(0));
        assertTrue(lines.get(2).startsWith("WARNING: the run degraded") && lines.get(2).contains("11.0 points"), lines.get(2));
        // 6.56 >= 0.9 ln 1024 = 6.24: near uniform
        assertTrue(lines.get(3).contains("uniform"), lines.get(3));
    }

    @Test
    void aStableRunHasNoWarning() throws IOException {
        RunSummary s = RunSummary.read(metrics(epoch(0, 2, 4, 0.80), epoch(1, 1.5, 3.5, 0.83), epoch(2, 1.4, 3.4, 0.815)), 4096);
        assertFalse(s.degraded(), "1.5 points below the best is within the tolerance");
        List<String> lines = s.lines(Double.NaN);
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("teacher at the end: H(p_t) 1.40, H(mean p_t) 3.40 nats (ln K = 8.32)", lines.get(1));
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("WARNING")));
    }

    @Test
    void fewPrototypesAtTheEndIsNamed() throws IOException {
        List<String> lines = RunSummary.read(metrics(epoch(0, 0.1, 0.5, null)), 1024).lines(Double.NaN);
        assertEquals(2, lines.size(), "no k-NN line without online k-NN: " + lines);
        assertTrue(lines.get(1).contains("few prototypes"), lines.get(1));
    }

    @Test
    void noEpochNoLines() throws IOException {
        assertTrue(RunSummary.read(metrics(), 64).lines(0.5).isEmpty());
    }
}
