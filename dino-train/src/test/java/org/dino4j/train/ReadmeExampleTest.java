package org.dino4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dino4j.core.model.DinoModel;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.readme.DinoStep;
import org.dino4j.train.schedule.TrainingSchedules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's library example is {@link DinoStep}, and it is the step {@link DinoTrainer} runs. */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void readmeShowsThisCompiledExample() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String marker = "```java\n";
        int at = readme.indexOf(marker + "import java.util.Random;\nimport org.dino4j.core.ema.Ema;");
        assertTrue(at >= 0, "README has the DinoStep example");
        String block = readme.substring(at + marker.length(), readme.indexOf("```", at + marker.length()));
        String source = Files.readString(Path.of("src/test/java/org/dino4j/train/readme/DinoStep.java"));
        String withoutPackage = source.substring(source.indexOf('\n') + 1).stripLeading();
        assertEquals(withoutPackage, block);
        long code = block.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("import") && !l.equals("}") && !l.startsWith("@")).count();
        assertTrue(code <= 25, "about twenty lines of code, got " + code);
    }

    /** Two epochs (the first with the last layer frozen) of the example and of the trainer: the same numbers, bit for bit. */
    @Test
    void theExampleIsTheTrainersStep() throws Exception {
        DinoConfig cfg = ConfigLoader.load("tiny", null, Map.of("run.epochs", "2", "data.batchSize", "4",
                "data.crops.numLocal", "2", "model.head.outDim", "16", "optim.warmupEpochs", "1"));
        int ipe = 3;
        long seed = cfg.run().seed();
        CoreNetwork ts = CoreNetwork.create(cfg.model(), 1, seed);
        CoreNetwork tt = ts.copy();
        try (DinoTrainer trainer = new DinoTrainer(cfg, ts, tt, new RandomCrops(5, 4, 2, ipe),
                new DinoTrainer.Output(tmp, new PrintStream(new ByteArrayOutputStream()), false))) {
            trainer.train();
            TrainingSchedules s = TrainingSchedules.of(cfg, ipe);
            DinoModel student = CoreNetwork.create(cfg.model(), 1, seed).model();
            DinoModel teacher = student.copy();
            List<Double> losses = new ArrayList<>();
            try (DinoStep dino = new DinoStep(student, teacher)) {
                RandomCrops crops = new RandomCrops(5, 4, 2, ipe);
                for (int e = 0, it = 0; e < 2; e++) {
                    for (Iterator<CropBatch> b = crops.epoch(e, 0); b.hasNext(); it++) {
                        CropBatch x = b.next();
                        losses.add(dino.step(x.globals(), x.locals(), s.lr()[it], s.wd()[it], s.momentum()[it],
                                s.teacherTemp()[it], e < cfg.optim().freezeLastLayer(),
                                new Random(DinoTrainer.dropPathSeed(seed, it))));
                    }
                }
            }
            assertEquals(trainer.losses(), losses);
            assertArrayEquals(ts.params().toFloatVector(), student.params().toFloatVector(), "student");
            assertArrayEquals(tt.params().toFloatVector(), teacher.params().toFloatVector(), "teacher");
            assertNotEquals(losses.get(0), losses.get(losses.size() - 1));
        }
    }
}
