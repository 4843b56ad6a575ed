package org.dino4j.train.cli;

import static org.dino4j.train.cli.DinoCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.dino4j.core.pretrained.BackboneWeights;
import org.dino4j.core.pretrained.LoadOptions;
import org.dino4j.core.pretrained.PretrainedCheckpoints;
import org.dino4j.core.pretrained.PretrainedDino;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dino embed}, {@code dino eval knn|linear --weights}, {@code dino attention --weights}, {@code dino export}. */
class PretrainedCommandsTest {
    /** The PyTorch fixtures of dino-core (small random-weight models in the official layouts). */
    static final Path FIXTURES = Path.of("../dino-core/src/test/resources/pretrained");
    static final String VIT = FIXTURES.resolve("vit16-hub.pth").toString();
    static final String RESNET = FIXTURES.resolve("resnet-hub.pth").toString();

    @TempDir
    Path tmp;

    /** Images of two colour classes with random noise, under root/class/…; sizes vary. */
    static void images(Path root, int perClass, long seed) throws Exception {
        Random r = new Random(seed);
        for (String cls : new String[] {"blue", "red"}) {
            Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(40 + 7 * i, 48, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < img.getHeight(); y++) {
                    for (int x = 0; x < img.getWidth(); x++) {
                        int n = r.nextInt(60);
                        img.setRGB(x, y, cls.equals("red") ? (190 + n) << 16 | n << 8 | n : n << 16 | n << 8 | (190 + n));
                    }
                }
                ImageIO.write(img, "png", root.resolve(cls).resolve("img" + i + ".png").toFile());
            }
        }
    }

    @Test
    void embedWritesOneRowPerImageInFileOrder() throws Exception {
        Path dir = tmp.resolve("imgs");
        images(dir, 2, 1);
        Path npy = tmp.resolve("out/emb.npy");
        DinoCommandTest.Result r = run("embed", "--weights", VIT, "--heads", "3", "--images", dir.toString(),
                "--out", npy.toString(), "--batch-size", "3", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode s = new ObjectMapper().readTree(r.out());
        assertEquals(4, s.get("images").asInt());
        assertEquals(48, s.get("dim").asInt());
        assertTrue(r.err().contains("images/s"), r.err());
        List<String> names = Files.readAllLines(tmp.resolve("out/emb.files.txt"));
        assertEquals(List.of("blue/img0.png", "blue/img1.png", "red/img0.png", "red/img1.png"), names);
        float[][] rows = readNpy(npy, 4, 48);
        try (PretrainedDino dino = PretrainedDino.load(Path.of(VIT), LoadOptions.defaults().withHeads(3))) {
            for (int i = 0; i < 4; i++) {
                float[] e = dino.embed(ImageIO.read(dir.resolve(names.get(i)).toFile()));
                assertArrayEquals(e, rows[i], 1e-5f, names.get(i));
            }
        }
        Path csv = tmp.resolve("emb.csv");
        r = run("embed", "--weights", RESNET, "--images", dir.toString(), "--out", csv.toString(), "--l2");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(5, lines.size());
        assertTrue(lines.get(0).startsWith("file,f0,f1,") && lines.get(0).endsWith(",f127"), lines.get(0));
        assertTrue(lines.get(3).startsWith("red/img0.png,"), lines.get(3));
        double norm = 0;
        String[] f = lines.get(1).split(",");
        for (int j = 1; j < f.length; j++) {
            norm += Double.parseDouble(f[j]) * Double.parseDouble(f[j]);
        }
        assertEquals(1.0, norm, 1e-4, "--l2 rows have unit norm");
    }

    @Test
    void embedRejectsBadInputWithOneErrorAndWritesNothing() throws Exception {
        Path dir = tmp.resolve("imgs");
        images(dir, 1, 2);
        Path out = tmp.resolve("o/emb.npy");
        DinoCommandTest.Result r = run("embed", "--weights", VIT, "--images", dir.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("dino: error: ") && r.err().contains("number of attention heads"), r.err());
        r = run("embed", "--weights", VIT, "--heads", "3", "--images", dir.toString(), "--out", tmp.resolve("e.txt").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--out must end in .npy or .csv"), r.err());
        Files.writeString(dir.resolve("red/broken.png"), "not a png");
        r = run("embed", "--weights", VIT, "--heads", "3", "--images", dir.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("broken.png"), r.err());
        assertFalse(Files.exists(out), "nothing written after a failure");
        r = run("embed", "--weights", tmp.resolve("missing.pth").toString(), "--images", dir.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.pth: no such file"), r.err());
    }

    @Test
    void evalKnnAndLinearOnPretrainedFeatures() throws Exception {
        Path data = tmp.resolve("data");
        images(data.resolve("train"), 4, 3);
        images(data.resolve("val"), 2, 4);
        Path out = tmp.resolve("eval");
        DinoCommandTest.Result r = run("eval", "knn", "--weights", RESNET, "--data", "images:" + data, "--k", "3",
                "--out", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode knn = new ObjectMapper().readTree(Files.readString(out.resolve("knn.json")));
        assertTrue(knn.toString().contains("top1"), knn.toString());
        assertTrue(r.err().contains("8 train, 4 val"), r.err());
        r = run("eval", "linear", "--weights", RESNET, "--data", "images:" + data, "--out", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("linear.json")));
        r = run("eval", "knn", "--weights", RESNET, "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--data is required with --weights"), r.err());
        r = run("eval", "tsne", "--weights", RESNET, "--data", "images:" + data);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("works on a run"), r.err());
    }

    @Test
    void attentionMapsOfImageFiles() throws Exception {
        Path dir = tmp.resolve("imgs");
        images(dir, 1, 5);
        Path out = tmp.resolve("att");
        DinoCommandTest.Result r = run("attention", "--weights", VIT, "--heads", "3", "--images",
                dir.resolve("red/img0.png") + "," + dir.resolve("blue"), "--image-size", "64,80", "--threshold", "0.6",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode files = new ObjectMapper().readTree(r.out()).get("files");
        assertEquals(2, files.size());
        BufferedImage png = ImageIO.read(Path.of(files.get(0).asText()).toFile());
        assertEquals(4 * 80, png.getWidth(), "image + 3 heads, 80 px each");
        assertEquals(64, png.getHeight());
        r = run("attention", "--weights", RESNET, "--images", dir.resolve("red/img0.png").toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("need a ViT"), r.err());
    }

    @Test
    void exportWritesTheOfficialLayout() throws Exception {
        Path run = tmp.resolve("run");
        DinoCommandTest.Result r = run("train", "--preset", "tiny", "--epochs", "1", "--batch-size", "16", "--no-eval",
                "--set", "model.backbone=vit", "--set", "model.vit.embedDim=16", "--set", "model.vit.depth=2",
                "--set", "model.vit.heads=2", "--set", "model.vit.basePatchGrid=4", "--set", "run.knnEveryEpochs=0",
                "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        Path st = tmp.resolve("teacher.safetensors");
        r = run("export", "--checkpoint", run.toString(), "--format", "safetensors", "--out", st.toString());
        assertEquals(0, r.code(), r.err());
        BackboneWeights w = PretrainedCheckpoints.load(st, LoadOptions.defaults()); // heads from the metadata
        assertEquals("ViT patch 4, dim 16, depth 2, 2 heads, MLP 64, grid 4x4", w.describe());
        Path pth = tmp.resolve("teacher-head.pth");
        r = run("export", "--checkpoint", run.toString(), "--format", "pth", "--head", "--out", pth.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(w.tensors(), PretrainedCheckpoints.load(pth, LoadOptions.defaults().withHeads(2)).tensors());
        r = run("export", "--checkpoint", run.toString(), "--format", "onnx", "--out", pth.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--format must be safetensors or pth"), r.err());
    }

    static float[][] readNpy(Path p, int n, int d) throws Exception {
        byte[] b = Files.readAllBytes(p);
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        String header = new String(b, 10, headerLen);
        assertTrue(header.contains("'shape': (" + n + ", " + d + ")"), header);
        ByteBuffer bb = ByteBuffer.wrap(b, 10 + headerLen, b.length - 10 - headerLen).order(ByteOrder.LITTLE_ENDIAN);
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = bb.getFloat();
            }
        }
        return out;
    }
}
