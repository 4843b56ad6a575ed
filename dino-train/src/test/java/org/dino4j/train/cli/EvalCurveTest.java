package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.monitor.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.dino4j.train.cli.DinoCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dino eval curve} on a tiny real run: one point per kept epoch checkpoint, each the k-NN of that checkpoint. */
class EvalCurveTest {
    @TempDir
    Path tmp;

    @Test
    void everyKeptEpochCheckpointIsEvaluatedLikeEvalKnnAndPlacedAtItsTrainingMinutes() throws Exception {
        Path out = tmp.resolve("run");
        DinoCommandTest.Result r = run("train", "--preset", "tiny", "--out", out.toString(), "--epochs", "3", "--no-eval",
                "--set", "run.keepCheckpoints=10", "--set", "run.knnEveryEpochs=0");
        assertEquals(0, r.code(), r.err());
        List<Path> ckpts = new CheckpointStore(out.resolve("checkpoints"), 1).list();
        assertEquals(3, ckpts.size(), "one checkpoint per epoch: " + ckpts);

        r = run("eval", "curve", "--checkpoint", out.toString(), "--k", "5");
        assertEquals(0, r.code(), r.err());
        JsonNode curve = new ObjectMapper().readTree(out.resolve("eval/curve.json").toFile());
        assertEquals(5, curve.get("k").asInt());
        JsonNode points = curve.get("points");
        assertEquals(3, points.size());
        assertTrue(Files.size(out.resolve("eval/curve.png")) > 1000, "a picture was drawn");
        assertEquals(4, Files.readAllLines(out.resolve("eval/curve.csv")).size(), "header + 3 rows");

        // minutes: the running sum over the epoch lines of steps x batch / images per second (batch 8)
        double seconds = 0;
        long prev = 0;
        int e = 0;
        for (JsonNode row : MetricsLog.read(out.resolve("metrics.jsonl"))) {
            if (!"epoch".equals(row.get("type").asText())) continue;
            seconds += (row.get("iter").asLong() - prev) * 8.0 / row.get("images_per_sec").asDouble();
            prev = row.get("iter").asLong();
            assertEquals(seconds / 60, points.get(e).get("minutes").asDouble(), 1e-9, "minutes of epoch " + e);
            assertEquals(prev, points.get(e).get("iteration").asLong());
            e++;
        }
        assertEquals(3, e);

        // each point equals dino eval knn on that checkpoint file (a separate command, its own loading)
        for (int i = 0; i < 3; i++) {
            r = run("eval", "knn", "--checkpoint", ckpts.get(i).toString(), "--k", "5", "--out", tmp.resolve("knn" + i).toString());
            assertEquals(0, r.code(), r.err());
            double top1 = new ObjectMapper().readTree(r.out()).get("results").get(0).get("top1").asDouble();
            assertEquals(top1, points.get(i).get("top1").asDouble(), 0.0, "checkpoint " + ckpts.get(i).getFileName());
        }

        // --every 2 keeps every second checkpoint and always the last
        r = run("eval", "curve", "--checkpoint", out.toString(), "--k", "5", "--every", "2", "--out", tmp.resolve("c2").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode p2 = new ObjectMapper().readTree(tmp.resolve("c2/curve.json").toFile()).get("points");
        assertEquals(2, p2.size());
        assertEquals(2, p2.get(0).get("epoch").asInt(), "epochs done");
        assertEquals(3, p2.get(1).get("epoch").asInt());
    }

    @Test
    void badInputGetsOneClearError() throws Exception {
        Path out = tmp.resolve("run");
        DinoCommandTest.Result r = run("train", "--preset", "tiny", "--out", out.toString(), "--no-eval", "--set", "run.knnEveryEpochs=0");
        assertEquals(0, r.code(), r.err());

        r = run("eval", "curve", "--checkpoint", out.toString(), "--every", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--every must be >= 1, got 0"), r.err());

        Path zip = new CheckpointStore(out.resolve("checkpoints"), 1).list().get(0);
        r = run("eval", "curve", "--checkpoint", zip.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("must be a run directory"), r.err());
        assertFalse(Files.exists(out.resolve("eval/curve.json")), "nothing written");

        Files.delete(out.resolve("metrics.jsonl"));
        r = run("eval", "curve", "--checkpoint", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("metrics.jsonl"), r.err());
    }

    @Test
    void minutesSumEachEpochsStepsOverItsRate() throws Exception {
        Path m = tmp.resolve("metrics.jsonl");
        Files.writeString(m, String.join("\n",
                "{\"type\":\"iter\",\"iter\":0,\"loss\":1}",
                "{\"type\":\"epoch\",\"epoch\":0,\"iter\":10,\"images_per_sec\":80}",
                "{\"type\":\"epoch\",\"epoch\":1,\"iter\":20,\"images_per_sec\":40}") + "\n");
        Map<Long, EvalCurve.EpochEnd> ends = EvalCurve.epochEnds(m, 8);
        assertEquals(Map.of(10L, new EvalCurve.EpochEnd(1, 1.0 / 60), 20L, new EvalCurve.EpochEnd(2, 3.0 / 60)), ends);
        // 10*8/80 = 1 s, then + 10*8/40 = 2 s
    }
}
