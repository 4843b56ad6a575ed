package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dino4j.train.ablate.AblationRow;
import org.dino4j.train.ablate.AblationRunner;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.dino4j.train.cli.DinoCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code dino ablate} wiring on the tiny preset with a 1-epoch budget. */
class AblateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void everyRowRunsWithItsSwitchAndTheTableIsWritten() throws Exception {
        Path out = tmp.resolve("ablate");
        DinoCommandTest.Result r = run("ablate", "--preset", "tiny", "--epochs", "1", "--eval-size", "64", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("ablation.md", "ablation.json", "ablation.png")) assertTrue(Files.size(out.resolve(f)) > 100, f);
        assertTrue(r.out().contains("| no-stopgrad | student |"), r.out());
        JsonNode j = new ObjectMapper().readTree(out.resolve("ablation.json").toFile());
        assertEquals(1, j.get("epochs").asInt());
        JsonNode rows = j.get("rows");
        List<String> ids = List.of("full", "no-ema", "no-centering", "no-sharpening", "multicrop", "no-stopgrad");
        assertEquals(ids.size(), rows.size());
        double lnK = Math.log(64);
        for (int i = 0; i < ids.size(); i++) {
            JsonNode row = rows.get(i);
            String id = ids.get(i);
            assertEquals(id, row.get("row").asText());
            assertEquals(id.equals("no-ema") || id.equals("no-stopgrad") ? "student" : "teacher", row.get("evaluated").asText(), id);
            double knn = row.get("knnTop1").asDouble(), h = row.get("teacherEntropy").asDouble(),
                    hm = row.get("meanTeacherEntropy").asDouble(), er = row.get("effectiveRank").asDouble();
            assertTrue(knn >= 0 && knn <= 1, id + " knn " + knn);
            assertTrue(h >= 0 && h <= lnK + 1e-6 && hm >= h - 1e-6 && hm <= lnK + 1e-6, id + " entropies " + h + ", " + hm);
            assertEquals(lnK, row.get("lnK").asDouble(), 1e-9);
            assertTrue(er >= 1 && er <= row.get("featureDim").asInt(), id + " effective rank " + er);
            assertTrue(Set.of("uniform", "one prototype", "none").contains(row.get("collapse").asText()));
            assertEquals(AblationRunner.collapseMode(h, hm, lnK), row.get("collapse").asText());
            Path dir = out.resolve(id);
            for (String f : List.of("config.yaml", "metrics.jsonl", "knn.json", AblationRunner.ROW_FILE)) {
                assertTrue(Files.isRegularFile(dir.resolve(f)), id + "/" + f);
            }
        }
        // each row's saved config holds its switch and nothing else changed
        DinoConfig full = ConfigLoader.load("default", out.resolve("full/config.yaml"), Map.of());
        assertTrue(full.ablation().allOn());
        assertFalse(ConfigLoader.load("default", out.resolve("no-ema/config.yaml"), Map.of()).ablation().ema());
        assertFalse(ConfigLoader.load("default", out.resolve("no-centering/config.yaml"), Map.of()).ablation().centering());
        DinoConfig ns = ConfigLoader.load("default", out.resolve("no-sharpening/config.yaml"), Map.of());
        assertEquals(ns.teacher().studentTemp(), ns.teacher().teacherTemp());
        assertEquals(ns.teacher().studentTemp(), ns.teacher().warmupTeacherTemp());
        assertEquals(0, ConfigLoader.load("default", out.resolve("multicrop/config.yaml"), Map.of()).data().crops().numLocal(),
                "tiny has 2 local crops: the multicrop row removes them");
        DinoConfig nsg = ConfigLoader.load("default", out.resolve("no-stopgrad/config.yaml"), Map.of());
        assertFalse(nsg.ablation().stopGradient());
        assertFalse(nsg.ablation().ema());
        assertEquals(full.model(), nsg.model());
        assertEquals(full.optim(), nsg.optim());
        assertEquals(full.run(), nsg.run());

        // the output directory is never overwritten; --resume reuses finished rows
        r = run("ablate", "--preset", "tiny", "--epochs", "1", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--resume"), r.err());
        r = run("ablate", "--preset", "tiny", "--epochs", "1", "--eval-size", "64", "--only", "full,no-centering", "--resume",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("row full already finished"), r.err());
        assertEquals(2, new ObjectMapper().readTree(out.resolve("ablation.json").toFile()).get("rows").size());
    }

    @Test
    void resumeRefusesRowsTrainedWithAnotherConfigBeforeTrainingAnyRow() throws Exception {
        Path out = tmp.resolve("ablate");
        String[] base = {"ablate", "--preset", "tiny", "--epochs", "1", "--eval-size", "64", "--out", out.toString()};
        DinoCommandTest.Result r = run(ResumeSafetyTest.args(base, "--only", "full"));
        assertEquals(0, r.code(), r.err());
        java.util.Map<String, String> before = ResumeSafetyTest.snapshot(out);

        r = run(ResumeSafetyTest.args(base, "--only", "full,no-centering", "--resume", "--set", "optim.lr=0.01"));
        ResumeSafetyTest.assertOneErrorLine(r, "row full", "optim.lr", "has 0.001", "asked for 0.01");
        r = run("ablate", "--preset", "tiny", "--epochs", "2", "--eval-size", "64", "--out", out.toString(), "--only", "full", "--resume");
        ResumeSafetyTest.assertOneErrorLine(r, "row full", "run.epochs");
        r = run("ablate", "--preset", "tiny", "--epochs", "1", "--eval-size", "32", "--out", out.toString(), "--only", "full", "--resume");
        ResumeSafetyTest.assertOneErrorLine(r, "row full", "k-NN memory of 64 images", "asks for 32", "--eval-size 64");
        assertEquals(before, ResumeSafetyTest.snapshot(out), "nothing trained or rewritten");
        assertFalse(Files.exists(out.resolve("no-centering")));

        // the same config: the finished row is reused, the new one trained; what does not change a step may differ
        r = run(ResumeSafetyTest.args(base, "--only", "full,no-centering", "--resume", "--set", "run.logEveryIters=3"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("row full already finished"), r.err());
        assertEquals(2, new ObjectMapper().readTree(out.resolve("ablation.json").toFile()).get("rows").size());
    }

    @Test
    void badRowNamesFailBeforeAnyWork() {
        Path out = tmp.resolve("bad");
        DinoCommandTest.Result r = run("ablate", "--preset", "tiny", "--only", "full,no-teacher", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\"no-teacher\""), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void collapseModesAndRowOverrides() throws Exception {
        double lnK = Math.log(1024);
        assertEquals("uniform", AblationRunner.collapseMode(0.95 * lnK, lnK, lnK));
        assertEquals("one prototype", AblationRunner.collapseMode(0.01, 0.05 * lnK, lnK));
        assertEquals("none", AblationRunner.collapseMode(1.0, 0.5 * lnK, lnK));
        DinoConfig base = ConfigLoader.load("tiny", null, Map.of());
        assertEquals(Map.of("teacher.warmupTeacherTemp", "0.1", "teacher.teacherTemp", "0.1"), AblationRow.NO_SHARPENING.overrides(base));
        assertEquals(Map.of(), AblationRow.FULL.overrides(base));
        assertEquals(List.of(AblationRow.NO_STOPGRAD, AblationRow.FULL), AblationRow.parse(List.of("no-stopgrad", "full")));
        assertEquals(List.of(AblationRow.MULTICROP), AblationRow.parse(List.of("no-multicrop")), "the earlier name");
    }

    /** The multi-crop row compares with and without local crops whatever the base: it removes them or adds them. */
    @Test
    void multicropRowFlipsTheLocalCrops() throws Exception {
        DinoConfig tiny = ConfigLoader.load("tiny", null, Map.of()); // 2 local crops
        assertEquals(Map.of("data.crops.numLocal", "0"), AblationRow.MULTICROP.overrides(tiny));
        assertTrue(AblationRow.MULTICROP.description(tiny).startsWith("no multi-crop: the base's 2 local 8² crops removed"),
                AblationRow.MULTICROP.description(tiny));
        DinoConfig none = ConfigLoader.load("tiny", null, Map.of("data.crops.numLocal", "0"));
        assertEquals(Map.of("data.crops.numLocal", Integer.toString(AblationRow.ADDED_LOCAL_CROPS)), AblationRow.MULTICROP.overrides(none));
        assertEquals("+ multi-crop: 6 local 8² crops (scale 0.1–0.4) added to the base's 2 global crops",
                AblationRow.MULTICROP.description(none));
        DinoConfig added = ConfigLoader.override(none, AblationRow.MULTICROP.overrides(none));
        assertEquals(6, added.data().crops().numLocal());
        assertEquals(none.run(), added.run(), "same epochs and budget");
        assertEquals(none.data().batchSize(), added.data().batchSize());
    }
}
