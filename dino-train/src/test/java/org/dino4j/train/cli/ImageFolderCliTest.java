package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.run.TrainData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.dino4j.train.cli.DinoCommandTest.run;
import static org.dino4j.train.cli.ResumeSafetyTest.TINY;
import static org.dino4j.train.cli.ResumeSafetyTest.args;
import static org.dino4j.train.cli.ResumeSafetyTest.assertOneErrorLine;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code images:DIR} sources through the command line: one class index for train/ and test/, corrupt and oversized
 * images, a run directory inside the image folder, file names with any characters under any locale.
 */
class ImageFolderCliTest {
    @TempDir
    Path tmp;

    @Test
    void trainAndTestFoldersShareOneClassIndexAndAClassOnOneSideIsAnError() throws Exception {
        Path data = tmp.resolve("data");
        TestImages.folder(data.resolve("train"), List.of("a", "b", "c"), 4, 1);
        TestImages.folder(data.resolve("test"), List.of("a", "c"), 2, 2);
        Path out = tmp.resolve("run");
        DinoCommandTest.Result r = run(args(TINY, "--data", "images:" + data, "--out", out.toString()));
        assertOneErrorLine(r, "class \"b\"", data.resolve("train").toString(), "not in " + data.resolve("test"));
        assertFalse(Files.exists(out), "nothing was created");

        // a misspelled class on the test side is named too
        TestImages.folder(data.resolve("test"), List.of("bb"), 2, 3);
        r = run(args(TINY, "--data", "images:" + data, "--out", out.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("class \"b\"") || r.err().contains("class \"bb\""), r.err());

        // the same classes on both sides: the test images of "c" get the label of the training images of "c"
        Files.move(data.resolve("test/bb"), data.resolve("test/b"));
        TrainData td = TrainData.open(ConfigLoader.load("tiny", null, Map.of("data.source", "images:" + data, "data.heldOut", "6")).data());
        assertEquals(List.of("a", "b", "c"), List.of(td.queries().className(0), td.queries().className(1), td.queries().className(2)));
        for (int i = 0; i < td.queries().size(); i++) {
            assertEquals(td.queries().className(td.queries().label(i)), td.train().className(td.queries().label(i)));
        }
        assertEquals(2, td.queries().label(td.queries().size() - 1), "the last test image is a \"c\"");
    }

    @Test
    void aJpegTruncatedInsideItsDataIsAnErrorOrANamedSkip() throws Exception {
        Path data = tmp.resolve("data");
        TestImages.folder(data, List.of("a", "b"), 10, 1);
        Path bad = data.resolve("b/broken.jpg");
        TestImages.truncatedJpeg(bad);
        Path out = tmp.resolve("run");
        String[] common = args(TINY, "--data", "images:" + data, "--set", "data.heldOut=4");
        DinoCommandTest.Result r = run(args(common, "--out", out.toString()));
        assertOneErrorLine(r, bad.toString(), "corrupt image", "warned");
        assertFalse(Files.exists(out), "nothing was created");

        r = run(args(common, "--out", out.toString(), "--skip-corrupt"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("skipped 1 unreadable or corrupt image") && r.err().contains(bad.toString()), r.err());
        JsonNode d = new ObjectMapper().readTree(Files.readString(out.resolve("data.json")));
        assertEquals(16, d.get("images").asInt(), "20 good images, 4 held out");
        assertTrue(d.get("skipped").get(0).asText().startsWith(bad.toString()), d.toString());
    }

    @Test
    void anImageDeclaringTooManyPixelsIsRefusedBeforeDecoding() throws Exception {
        Path data = tmp.resolve("data");
        TestImages.folder(data, List.of("a", "b"), 6, 1);
        Path bomb = data.resolve("a/bomb.png");
        TestImages.pngDeclaring(bomb, 20_000, 20_000);
        assertTrue(Files.size(bomb) < 10_000, "a small file");
        DinoCommandTest.Result r = run(args(TINY, "--data", "images:" + data, "--set", "data.heldOut=4", "--out", tmp.resolve("run").toString()));
        assertOneErrorLine(r, bomb.toString(), "20000x20000", "400,000,000 pixels", "--max-image-pixels");
        r = run(args(TINY, "--data", "images:" + data, "--set", "data.heldOut=4", "--out", tmp.resolve("run").toString(),
                "--max-image-pixels", "100"));
        assertOneErrorLine(r, "more than the limit of 100 pixels (--max-image-pixels)");
        r = run(args(TINY, "--data", "images:" + data, "--set", "data.heldOut=4", "--out", tmp.resolve("run").toString(),
                "--max-image-pixels", "0"));
        assertOneErrorLine(r, "--max-image-pixels must be in [1, ");
    }

    @Test
    void aRunDirectoryInsideTheImageFolderIsRefused() throws Exception {
        Path data = tmp.resolve("data");
        TestImages.folder(data, List.of("a", "b"), 6, 1);
        Path out = data.resolve("runs/x");
        DinoCommandTest.Result r = run(args(TINY, "--data", "images:" + data, "--set", "data.heldOut=4", "--out", out.toString()));
        assertOneErrorLine(r, "--out " + out, "inside the image folder");
        assertFalse(Files.exists(data.resolve("runs")), "nothing was created");
        // through a symbolic link as well
        Files.createSymbolicLink(tmp.resolve("link"), data);
        r = run(args(TINY, "--data", "images:" + tmp.resolve("link"), "--set", "data.heldOut=4", "--out", out.toString()));
        assertOneErrorLine(r, "inside the image folder");
    }

    @Test
    void namesWithAnyCharactersLoadUnderAnAsciiLocale() throws Exception {
        Path data = tmp.resolve("data");
        TestImages.folder(data, List.of("café", "naïve"), 6, 1);
        Files.move(data.resolve("café/img0.png"), data.resolve("café/été.png"));
        Path out = tmp.resolve("run");
        DinoCommandTest.Result r = ChildJvm.dino(Map.of("LC_ALL", "C", "LANG", "C"), null,
                List.of(args(TINY, "--data", "images:" + data, "--set", "data.heldOut=4", "--out", out.toString())));
        assertEquals(0, r.code(), r.out());
        JsonNode d = new ObjectMapper().readTree(Files.readString(out.resolve("data.json")));
        assertEquals(8, d.get("images").asInt());
    }
}
