package org.dino4j.train.cli;

import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.Presets;
import org.dino4j.core.model.SmallResNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.dino4j.train.cli.DinoCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code dino train --data images:DIR} without a preset resolves to the {@code images} preset adapted to the folder
 * (checked with {@code --dry-run}: nothing is trained or written).
 */
class ImagesDefaultRecipeTest {
    @TempDir
    Path tmp;

    private static DinoConfig dryRun(String... args) throws Exception {
        DinoCommandTest.Result r = run(args);
        assertEquals(0, r.code(), r.err());
        Path yaml = Files.createTempFile("dry-run", ".yaml");
        try {
            Files.writeString(yaml, r.out());
            return ConfigLoader.load("default", yaml, null);
        } finally {
            Files.delete(yaml);
        }
    }

    @Test
    void greyFolderGetsTheImagesRecipeWithABatchForItsSize() throws Exception {
        Path data = tmp.resolve("grey");
        TestImages.folder(data.resolve("train"), List.of("a", "b", "c"), 40, 1);
        TestImages.folder(data.resolve("test"), List.of("a", "b", "c"), 2, 2);
        Path out = tmp.resolve("run");
        DinoConfig c = dryRun("train", "--data", "images:" + data, "--out", out.toString(), "--dry-run");
        DinoConfig preset = Presets.get("images");
        assertEquals(0.0, c.data().crops().rotationDegrees(), "no rotation unless asked");
        assertTrue(c.run().adaptToData());
        assertEquals(preset.model(), c.model());
        // 120 images: 120 / 8 = 15 → batch 8, 15 steps per epoch; 60 epochs = 900 steps → λ₀ = 1 − 100/900 → 0.9 (bound)
        assertEquals(8, c.data().batchSize());
        assertEquals(0.9, c.teacher().momentumTeacher(), 1e-12);
        assertEquals(1, c.data().channels(), "grey pictures stay grey");
        assertFalse(Files.exists(out), "a dry run writes nothing");
        // a batch the user asks for is kept
        c = dryRun("train", "--data", "images:" + data, "--out", out.toString(), "--dry-run", "--batch-size", "16");
        assertEquals(16, c.data().batchSize());
        // the synthetic data keeps the main job's preset
        c = dryRun("train", "--out", out.toString(), "--dry-run");
        assertFalse(c.run().adaptToData());
    }

    @Test
    void colourFolderIsReadAsRgbUnlessChannelsAreSet() throws Exception {
        Path data = tmp.resolve("rgb");
        for (String cls : List.of("red", "blue")) {
            Path dir = Files.createDirectories(data.resolve(cls));
            for (int i = 0; i < 16; i++) {
                BufferedImage im = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 12; y++) for (int x = 0; x < 12; x++) im.setRGB(x, y, cls.equals("red") ? 0xC02010 + i : 0x1020C0 + i);
                ImageIO.write(im, "png", dir.resolve("img" + i + ".png").toFile());
            }
        }
        Path out = tmp.resolve("run");
        DinoConfig c = dryRun("train", "--data", "images:" + data, "--out", out.toString(), "--dry-run", "--set", "data.heldOut=4");
        assertEquals(3, c.data().channels());
        c = dryRun("train", "--data", "images:" + data, "--out", out.toString(), "--dry-run", "--set", "data.heldOut=4",
                "--set", "data.channels=1");
        assertEquals(1, c.data().channels());
    }

    /** Two classes of bright squares (5 or 7 px) on black, 20 per class, centred or placed anywhere in 28×28. */
    private static Path squares(Path root, boolean centred) throws IOException {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int c = 0; c < 2; c++) {
            Path dir = Files.createDirectories(root.resolve("train").resolve("c" + c));
            Files.createDirectories(root.resolve("test").resolve("c" + c));
            int s = c == 0 ? 5 : 7;
            for (int i = 0; i < 20; i++) {
                int top = centred ? 11 + rng.nextInt(2) : rng.nextInt(28 - s), left = centred ? 11 + rng.nextInt(2) : rng.nextInt(28 - s);
                BufferedImage im = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = top; y < top + s; y++) for (int x = left; x < left + s; x++) im.getRaster().setSample(x, y, 0, 220);
                ImageIO.write(im, "png", dir.resolve("img" + i + ".png").toFile());
                if (i < 2) ImageIO.write(im, "png", root.resolve("test").resolve("c" + c).resolve("img" + i + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void alignedFolderGetsAPoolingGridAndAFolderOfObjectsAnywhereDoesNot() throws Exception {
        Path out = tmp.resolve("run");
        DinoCommandTest.Result r = run("train", "--data", "images:" + squares(tmp.resolve("centred"), true), "--out",
                out.toString(), "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("model.small-resnet.poolGrid: 1 → 2 (aligned images"), r.err());
        DinoConfig c = dryRun("train", "--data", "images:" + tmp.resolve("centred"), "--out", out.toString(), "--dry-run");
        assertEquals(2, ((SmallResNet.Options) c.model().backboneOptions()).poolGrid());
        c = dryRun("train", "--data", "images:" + squares(tmp.resolve("anywhere"), false), "--out", out.toString(), "--dry-run");
        assertEquals(1, ((SmallResNet.Options) c.model().backboneOptions()).poolGrid(), "objects anywhere: global pooling");
        c = dryRun("train", "--data", "images:" + tmp.resolve("centred"), "--out", out.toString(), "--dry-run", "--set",
                "model.small-resnet.poolGrid=1");
        assertEquals(1, ((SmallResNet.Options) c.model().backboneOptions()).poolGrid(), "the user's choice is kept");
    }
}
