package org.dino4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dino4j.core.pretrained.io.CheckpointFile;
import org.dino4j.core.pretrained.io.CheckpointWriter;
import org.dino4j.core.pretrained.io.Py;
import org.dino4j.core.pretrained.io.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class PretrainedCheckpointsTest {
    private static final LoadOptions HEADS3 = LoadOptions.defaults().withHeads(3);

    @TempDir
    Path tmp;

    @Test
    void everyLayoutGivesTheSameWeights() throws Exception {
        Fixtures fx = Fixtures.checkedIn();
        BackboneWeights.Vit hub = vit(fx.file("vit16-hub.pth"), HEADS3);
        assertEquals(new VitSpec(16, 3, 48, 2, 3, 192, 14, 1e-6), hub.spec());
        assertEquals(hub.tensors(), vit(fx.file("vit16-hub.safetensors"), HEADS3).tensors());
        assertEquals(hub.tensors(), vit(fx.file("vit16-train.pth"), HEADS3).tensors(), "teacher entry by default");
        assertEquals(hub.tensors(), vit(fx.file("vit16-train.pth"), HEADS3.withCheckpointKey("teacher")).tensors());
        BackboneWeights.Vit student = vit(fx.file("vit16-train.pth"), HEADS3.withCheckpointKey("student"));
        assertTrue(!hub.tensors().equals(student.tensors()), "the student entry differs from the teacher");
        // Hugging Face layout: heads and eps from config.json beside the file, q/k/v stacked into qkv
        BackboneWeights.Vit hf = vit(fx.file("vit16-hf/model.safetensors"), LoadOptions.defaults());
        assertEquals(new VitSpec(16, 3, 48, 2, 3, 192, 14, 1e-12), hf.spec());
        assertEquals(hub.tensors(), hf.tensors());
        BackboneWeights.ResNet rn = (BackboneWeights.ResNet) PretrainedCheckpoints.load(fx.file("resnet-hub.pth"),
                LoadOptions.defaults());
        assertEquals(new ResNetSpec(8, new int[] {4, 8, 16, 32}, new int[] {2, 1, 1, 1}, 3, 1e-5), rn.spec());
        assertEquals(128, rn.featureDim());
    }

    @Test
    void studentAndHuggingFaceFeaturesMatchPyTorch() throws Exception {
        for (Fixtures fx : Fixtures.all()) {
            try (PretrainedVit s = new PretrainedVit(vit(fx.file("vit16-train.pth"), HEADS3.withCheckpointKey("student")), 1)) {
                INDArray f = s.features(fx.inputs(224, 224));
                assertTrue(Fixtures.maxRowRelative(f.data().asFloat(), fx.expected("vit16/224/student_cls").data(), 48) <= 2e-5);
            }
            try (PretrainedVit hf = new PretrainedVit(vit(fx.file("vit16-hf/model.safetensors"), LoadOptions.defaults()), 1)) {
                for (int[] r : new int[][] {{224, 224}, {Fixtures.H2, Fixtures.W2}}) {
                    String res = r[0] == 224 ? "224" : r[0] + "x" + r[1];
                    INDArray f = hf.features(fx.inputs(r[0], r[1]));
                    double rel = Fixtures.maxRowRelative(f.data().asFloat(), fx.expected("vit16/" + res + "/hf_cls").data(), 48);
                    assertTrue(rel <= 2e-5, "HF layout at " + res + ": " + rel);
                }
            }
        }
    }

    @Test
    void trainingCheckpointKeepsItsArgsAsInertObjects() throws Exception {
        try (CheckpointFile f = CheckpointFile.open(Fixtures.checkedIn().file("vit16-train.pth"))) {
            Map<?, ?> root = (Map<?, ?>) f.root();
            Py.Obj args = assertInstanceOf(Py.Obj.class, root.get("args"));
            assertEquals("argparse.Namespace", args.type().toString());
            assertEquals("vit_fixture", args.attribute("arch"));
            assertEquals(16L, args.attribute("patch_size"));
            assertEquals(3L, root.get("epoch"));
            assertInstanceOf(Map.class, root.get("optimizer"));
        }
    }

    @Test
    void headsMustBeKnownForANonStandardWidth() {
        IOException e = assertThrows(IOException.class, () -> PretrainedCheckpoints.load(
                Fixtures.checkedIn().file("vit16-hub.pth"), LoadOptions.defaults()));
        assertTrue(e.getMessage().contains("number of attention heads") && e.getMessage().contains("48"), e.getMessage());
    }

    @Test
    void aCheckpointThatDoesNotFitNamesTheFirstBadKeyAndTheExpectedShape() throws Exception {
        Map<String, Tensor> sd = new LinkedHashMap<>(vit(Fixtures.checkedIn().file("vit16-hub.pth"), HEADS3).tensors());
        Map<String, Tensor> missing = new LinkedHashMap<>(sd);
        missing.remove("blocks.1.norm2.bias");
        Path a = tmp.resolve("missing.pth");
        CheckpointWriter.writePytorch(missing, a);
        IOException e1 = assertThrows(IOException.class, () -> PretrainedCheckpoints.load(a, HEADS3));
        assertTrue(e1.getMessage().contains("key 'blocks.1.norm2.bias' is missing (expected shape [48])"), e1.getMessage());
        assertTrue(e1.getMessage().startsWith(a.toString()), e1.getMessage());

        Map<String, Tensor> bad = new LinkedHashMap<>(sd);
        bad.put("blocks.0.attn.qkv.weight", new Tensor(new long[] {144, 47}, new float[144 * 47]));
        bad.put("blocks.1.attn.proj.weight", new Tensor(new long[] {48, 47}, new float[48 * 47]));
        Path b = tmp.resolve("bad.safetensors");
        CheckpointWriter.writeSafetensors(bad, Map.of(), b);
        IOException e2 = assertThrows(IOException.class, () -> PretrainedCheckpoints.load(b, HEADS3));
        assertTrue(e2.getMessage().contains("key 'blocks.0.attn.qkv.weight' has shape [144, 47], expected [144, 48]"),
                e2.getMessage());

        Path c = tmp.resolve("other.safetensors");
        CheckpointWriter.writeSafetensors(Map.of("weight", new Tensor(new long[] {2}, new float[2])), Map.of(), c);
        IOException e3 = assertThrows(IOException.class, () -> PretrainedCheckpoints.load(c, HEADS3));
        assertTrue(e3.getMessage().contains("no DINO ViT or ResNet backbone"), e3.getMessage());

        IOException e4 = assertThrows(IOException.class, () -> PretrainedCheckpoints.load(
                Fixtures.checkedIn().file("vit16-train.pth"), HEADS3.withCheckpointKey("ema")));
        assertTrue(e4.getMessage().contains("checkpoint key 'ema' not found") && e4.getMessage().contains("teacher"),
                e4.getMessage());

        Path d = tmp.resolve("notes.pth");
        Files.writeString(d, "not a checkpoint at all");
        IOException e5 = assertThrows(IOException.class, () -> PretrainedCheckpoints.load(d, HEADS3));
        assertTrue(e5.getMessage().contains("neither a PyTorch zip checkpoint"), e5.getMessage());

        Path legacy = tmp.resolve("legacy.pth");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46});
        IOException e6 = assertThrows(IOException.class, () -> PretrainedCheckpoints.load(legacy, HEADS3));
        assertTrue(e6.getMessage().contains("legacy"), e6.getMessage());
    }

    @Test
    void writtenFilesReadBackExactly() throws Exception {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("a", new Tensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, 1e30f, -0f}));
        sd.put("b.c", new Tensor(new long[] {}, new float[] {7}));
        sd.put("big", new Tensor(new long[] {5, 1, 2}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        for (String name : new String[] {"x.pth", "x.safetensors"}) {
            Path p = tmp.resolve(name);
            if (name.endsWith(".pth")) {
                CheckpointWriter.writePytorch(sd, p);
            } else {
                CheckpointWriter.writeSafetensors(sd, Map.of("format", "pt"), p);
            }
            try (CheckpointFile f = CheckpointFile.open(p)) {
                Map<String, Tensor> back = new LinkedHashMap<>();
                CheckpointFile.tensorsOf((Map<?, ?>) f.root()).forEach((k, v) -> back.put(k, Tensor.of(v)));
                assertEquals(sd, back, name);
                assertArrayEquals(sd.keySet().toArray(), back.keySet().toArray(), "order kept in " + name);
            }
        }
    }

    private static BackboneWeights.Vit vit(Path p, LoadOptions o) throws IOException {
        return (BackboneWeights.Vit) PretrainedCheckpoints.load(p, o);
    }
}
