package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.Presets;
import org.dino4j.train.monitor.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run directory written in the older config layout (flat model and data keys in {@code config.yaml} and in the
 * checkpoint's config): {@code src/test/resources/legacy-run} is {@code dino train --preset tiny --threads 1 --stop-after 6
 * --no-eval} of that code. Resuming it continues the run exactly: the losses of iterations 6 and 7 equal those of an
 * uninterrupted 8-step run of the same code (its metrics.jsonl: 3.43696509, 3.51524846), up to the float rounding by
 * which today's fused kernels (GroupNorm summed per group, the stem convolution) differ from that code's: 1e-7
 * relative (measured 3.2e-7 on iteration 6), hence the tolerance 2e-6.
 */
class OlderRunDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void resumesAnOlderRunDirectoryWithTheSameLosses() throws IOException {
        Path run = tmp.resolve("old");
        copy(Path.of("src/test/resources/legacy-run"), run);
        assertEquals(Presets.get("tiny"), ConfigLoader.load("default", run.resolve("config.yaml"), null),
                "the older config.yaml is the tiny preset");
        DinoCommandTest.Result r = DinoCommandTest.run("train", "--out", run.toString(), "--resume", "--no-eval",
                "--threads", "1", "--stop-after", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("iteration 6"), r.err());
        List<Double> losses = new ArrayList<>();
        for (JsonNode n : MetricsLog.read(run.resolve("metrics.jsonl"))) {
            if (n.get("type").asText().equals("iter")) losses.add(n.get("loss").asDouble());
        }
        assertEquals(8, losses.size(), losses.toString());
        assertEquals(3.43696509, losses.get(6), 2e-6);
        assertEquals(3.51524846, losses.get(7), 2e-6);
        // the rewritten config.yaml is in today's layout and means the same run
        String yaml = Files.readString(run.resolve("config.yaml"));
        assertTrue(yaml.contains("crops:") && yaml.contains("small-resnet:"), yaml);
        assertEquals(Presets.get("tiny").model(), ConfigLoader.load("default", run.resolve("config.yaml"), null).model());
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d);
            }
        }
    }
}
