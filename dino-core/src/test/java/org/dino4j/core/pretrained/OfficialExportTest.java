package org.dino4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.SmallResNet;
import org.dino4j.core.model.SmallResNetConfig;
import org.dino4j.core.model.vit.VisionTransformer;
import org.dino4j.core.model.vit.VitConfig;
import org.dino4j.core.pretrained.io.CheckpointWriter;
import org.dino4j.core.pretrained.io.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** {@code dino export}'s layout: a dino4j ViT read back by the importer and, when torch is installed, by PyTorch. */
class OfficialExportTest {
    /** patch 8, D 32, depth 2, 4 heads (head dim 8, so heads are not D/64), grid 4 (32 px), 3 channels. */
    static final VitConfig VIT = VitConfig.builder().inChannels(3).patchSize(8).embedDim(32).depth(2).heads(4).basePatchGrid(4).build();

    @TempDir
    Path tmp;

    /** A model with O(1) random weights (the training init gives near-uniform attention and tiny features). */
    static DinoModel model(boolean headBn) {
        return model(headBn, false);
    }

    static DinoModel model(boolean headBn, boolean exactGelu) {
        DinoModel m = DinoModel.create(new VisionTransformer(VIT.withExactGelu(exactGelu)),
                new DinoHeadConfig(24, 12, 40, 3, true, 1e-12, headBn), DataType.FLOAT, 5);
        Random r = new Random(11);
        INDArray p = m.params();
        float[] v = p.data().asFloat();
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (0.3 * r.nextGaussian());
        }
        p.assign(Nd4j.createFromArray(v).reshape(p.shape()));
        return m;
    }

    static INDArray input(int b) {
        Random r = new Random(3);
        float[] x = new float[b * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return Nd4j.createFromArray(x).reshape('c', b, 3, 32, 32);
    }

    @Test
    void exportReadsBackIntoTheImporterInBothFormats() throws Exception {
        DinoModel m = model(false);
        INDArray x = input(3);
        float[] ref = m.features(x).castTo(DataType.FLOAT).dup('c').data().asFloat();
        Path st = tmp.resolve("vit.safetensors");
        CheckpointWriter.writeSafetensors(OfficialExport.vit(m, false), OfficialExport.metadata(m), st);
        Path pth = tmp.resolve("vit-head.pth");
        CheckpointWriter.writePytorch(OfficialExport.vit(m, true), pth);
        // heads from the safetensors metadata; the .pth (backbone.* + head.*) needs them given
        BackboneWeights a = PretrainedCheckpoints.load(st, LoadOptions.defaults());
        BackboneWeights b = PretrainedCheckpoints.load(pth, LoadOptions.defaults().withHeads(4));
        assertEquals(new VitSpec(8, 3, 32, 2, 4, 128, 4, 1e-6), ((BackboneWeights.Vit) a).spec());
        assertEquals(a.tensors(), b.tensors());
        try (PretrainedDino d = PretrainedDino.of(a)) {
            float[] f = d.features(x).data().asFloat();
            double rel = Fixtures.maxRowRelative(f, ref, 32);
            System.out.printf("dino4j ViT (tanh GELU) vs its export in the importer (erf GELU): %.3g%n", rel);
            // only the GELU form differs (|tanh form - erf form| < 5e-4 per activation); a wrong mapping is O(1)
            assertTrue(rel > 0 && rel < 5e-3, "relative difference " + rel);
        }
    }

    /** A ViT trained with the exact GELU ({@code model.vit.gelu: erf}) exports to exactly the official computation. */
    @Test
    void anExactGeluModelMatchesTheImporterExactly() throws Exception {
        DinoModel m = model(false, true);
        INDArray x = input(3);
        float[] ref = m.features(x).castTo(DataType.FLOAT).dup('c').data().asFloat();
        Path st = tmp.resolve("erf.safetensors");
        CheckpointWriter.writeSafetensors(OfficialExport.vit(m, false), OfficialExport.metadata(m), st);
        assertEquals("erf", OfficialExport.metadata(m).get("gelu"));
        try (PretrainedDino d = PretrainedDino.load(st)) {
            double rel = Fixtures.maxRowRelative(d.features(x).data().asFloat(), ref, 32);
            assertTrue(rel <= 2e-5, "relative difference " + rel);
        }
        if (torchAvailable()) {
            Map<String, Tensor> expected = new LinkedHashMap<>();
            expected.put("input", tensor(x));
            expected.put("features", tensor(m.features(x)));
            Path exp = tmp.resolve("erf-expected.safetensors");
            CheckpointWriter.writeSafetensors(expected, Map.of(), exp);
            JsonNode r = checkExport(st, exp, "exact", 1e-5);
            System.out.println("exact-GELU export in PyTorch: " + r);
        }
    }

    @Test
    void onlyVitBackbonesExport() {
        DinoModel cnn = DinoModel.create(new SmallResNet(SmallResNetConfig.small28(3)), DinoHeadConfig.small28(), 1);
        assertThrows(IllegalArgumentException.class, () -> OfficialExport.vit(cnn, false));
    }

    /** PyTorch loads the exports into the official ViT (and DINOHead) and gets dino4j's features and logits. */
    @Test
    void pytorchLoadsTheExportIntoTheOfficialArchitecture() throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "python3 with torch is not installed");
        DinoModel m = model(false);
        INDArray x = input(2);
        Map<String, Tensor> expected = new LinkedHashMap<>();
        expected.put("input", tensor(x));
        expected.put("features", tensor(m.features(x)));
        expected.put("logits", tensor(m.globalLogits(x)));
        Path exp = tmp.resolve("expected.safetensors");
        CheckpointWriter.writeSafetensors(expected, Map.of(), exp);
        Path st = tmp.resolve("vit.safetensors");
        CheckpointWriter.writeSafetensors(OfficialExport.vit(m, true), OfficialExport.metadata(m), st);
        Path pth = tmp.resolve("vit.pth");
        CheckpointWriter.writePytorch(OfficialExport.vit(m, false), pth);
        for (Path file : new Path[] {st, pth}) {
            JsonNode r = checkExport(file, exp, "tanh", 1e-5);
            System.out.println(file.getFileName() + ": " + r);
            assertTrue(r.get("backbone_rel_diff_gelu_tanh").asDouble() <= 1e-5, r.toString());
            assertTrue(r.get("backbone_rel_diff_gelu_exact").asDouble() < 5e-3, r.toString());
            if (file == st) {
                assertTrue(r.get("head_rel_diff_gelu_tanh").asDouble() <= 1e-5, r.toString());
            }
        }
    }

    static Tensor tensor(INDArray a) {
        return new Tensor(a.shape(), a.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    private static Boolean torch;

    static synchronized boolean torchAvailable() {
        if (torch == null) {
            torch = probeTorch();
        }
        return torch;
    }

    private static boolean probeTorch() {
        try {
            Process p = new ProcessBuilder(python(), "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    static JsonNode checkExport(Path weights, Path expected, String gelu, double tol) throws Exception {
        Path script = Path.of("src/test/python/pretrained_reference.py").toAbsolutePath();
        Process p = new ProcessBuilder(python(), script.toString(), "check-export", "--weights", weights.toString(),
                "--expected", expected.toString(), "--heads", "4", "--gelu", gelu, "--tolerance", Double.toString(tol))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "check-export timed out");
        assertEquals(0, p.exitValue(), "check-export failed: " + out);
        return new ObjectMapper().readTree(out);
    }
}
