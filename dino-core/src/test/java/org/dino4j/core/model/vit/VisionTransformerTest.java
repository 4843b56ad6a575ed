package org.dino4j.core.model.vit;

import org.dino4j.core.loss.DinoLoss;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dino4j.core.model.GraphNames;
import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.ParamInfo;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class VisionTransformerTest {
    /** Patch 4, D 8, depth 2, 2 heads, MLP ratio 2, position embeddings stored at 3×3 (12 px). */
    static final VitConfig MICRO = VitConfig.builder().embedDim(8).depth(2).heads(2).mlpRatio(2.0).basePatchGrid(3).build();
    static final DinoHeadConfig HEAD = DinoHeadConfig.builder().hiddenDim(16).bottleneckDim(8).outDim(10).build();

    static DinoModel micro(DataType dt, long seed) {
        return DinoModel.create(new VisionTransformer(MICRO), HEAD, dt, seed);
    }

    static INDArray images(Random r, DataType dt, int b, int c, int h, int w) {
        double[] v = new double[b * c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Nd4j.createFromArray(v).castTo(dt).reshape('c', b, c, h, w);
    }

    static double[][][] image(INDArray x, int b) {
        int c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        double[][][] y = new double[c][h][w];
        for (int ci = 0; ci < c; ci++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    y[ci][i][j] = x.getDouble(b, ci, i, j);
                }
            }
        }
        return y;
    }

    /** Makes the parameters less trivial than the init (LayerNorm gains 1, biases 0) so every term matters. */
    static void perturb(DinoModel m, long seed) {
        Random r = new Random(seed);
        INDArray p = m.params();
        for (long i = 0; i < p.length(); i++) {
            p.putScalar(0, i, p.getDouble(0, i) + 0.3 * r.nextGaussian());
        }
    }

    @Test
    void forwardMatchesFloat64ReferenceOnStoredAndInterpolatedGrids() {
        DinoModel m = micro(DataType.DOUBLE, 1);
        perturb(m, 2);
        Random r = new Random(3);
        // 12 px → 3×3 grid (= stored grid); 8 px → 2×2; 10×15 px → 2×3 (non-square, remainder dropped); 20 → 5×5
        int[][] sizes = {{12, 12}, {8, 8}, {10, 15}, {20, 20}};
        for (int[] s : sizes) {
            INDArray x = images(r, DataType.DOUBLE, 2, 1, s[0], s[1]);
            INDArray f = m.features(x);
            INDArray att = AttentionMaps.lastAttention(m, x);
            int t = 1 + (s[0] / 4) * (s[1] / 4);
            assertArrayEquals(new long[] {2, 8}, f.shape());
            assertArrayEquals(new long[] {2, 2, t, t}, att.shape());
            for (int b = 0; b < 2; b++) {
                VitRef ref = VitRef.forward(m, image(x, b));
                for (int e = 0; e < 8; e++) {
                    assertEquals(ref.features[e], f.getDouble(b, e), 1e-9, "feature " + e + " at " + s[0] + "x" + s[1]);
                }
                for (int h = 0; h < 2; h++) {
                    for (int i = 0; i < t; i++) {
                        for (int j = 0; j < t; j++) {
                            assertEquals(ref.attention[h][i][j], att.getDouble(b, h, i, j), 1e-9);
                        }
                    }
                }
            }
        }
    }

    @Test
    void shapesAndAttentionRowsForTiny28GlobalAndLocalCrops() {
        DinoModel m = DinoModel.create(new VisionTransformer(VitConfig.tiny28(1)), HEAD, 4);
        Random r = new Random(5);
        INDArray g = images(r, DataType.FLOAT, 4, 1, 28, 28);
        INDArray l = images(r, DataType.FLOAT, 6, 1, 12, 12);
        assertArrayEquals(new long[] {4, 64}, m.features(g).shape());
        assertArrayEquals(new long[] {6, 64}, m.features(l).shape());
        assertArrayEquals(new long[] {10, 10}, m.studentLogits(g, l).shape());
        INDArray att = AttentionMaps.lastAttention(m, g);
        assertArrayEquals(new long[] {4, 4, 50, 50}, att.shape());
        for (int b = 0; b < 4; b++) {
            for (int h = 0; h < 4; h++) {
                for (int i = 0; i < 50; i++) {
                    double sum = 0;
                    for (int j = 0; j < 50; j++) {
                        double v = att.getDouble(b, h, i, j);
                        assertTrue(v >= 0 && v <= 1);
                        sum += v;
                    }
                    assertEquals(1.0, sum, 1e-5);
                }
            }
        }
        assertArrayEquals(new long[] {6, 4, 10, 10}, AttentionMaps.lastAttention(m, l).shape());
    }

    /**
     * Central differences of the graph's loss vs the flat gradient written by lossAndGradients, in DOUBLE, with
     * global crops on the stored grid (12 px, 3×3) and local crops on an interpolated one (8 px, 2×2): one random
     * element of six random backbone tensors. Tolerance 1e-3 relative as in DinoModelTest (set when the head
     * still used {@code preciseGelu}, whose backward did not match its forward; see Activations) — the backbone
     * alone is checked to 1e-5 below.
     */
    @Test
    void gradientsMatchFiniteDifferences() {
        DinoModel m = micro(DataType.DOUBLE, 6);
        perturb(m, 7);
        Random r = new Random(8);
        INDArray g = images(r, DataType.DOUBLE, 4, 1, 12, 12);
        INDArray l = images(r, DataType.DOUBLE, 4, 1, 8, 8);
        double tau = 0.5;
        DinoLoss loss = new DinoLoss(new DinoLoss.Options(10, tau, 0.9, 1));
        loss.setTeacherTemp(0.3);
        INDArray zt = org.dino4j.core.loss.Float64Reference.randomLogits(r, 4, 10, 2.0, DataType.DOUBLE);
        m.lossAndGradients(g, l, zt, loss, null);
        INDArray grad = m.gradients().dup();
        DinoLoss.Targets targets = loss.targets(zt, 2);
        INDArray t = targets.targets();
        INDArray w = targets.rowWeights();
        Map<String, INDArray> ph = new HashMap<>(Map.of(GraphNames.GLOBAL_CROPS, g, GraphNames.LOCAL_CROPS, l,
                GraphNames.TARGETS, t, GraphNames.ROW_WEIGHTS, w, GraphNames.TAU_S, Nd4j.scalar(tau)));
        List<ParamInfo> ps = new ArrayList<>(m.parameters());
        ps.removeIf(pi -> !pi.name().startsWith(GraphNames.BACKBONE_SCOPE + "/"));
        java.util.Collections.shuffle(ps, r);
        ps = ps.subList(0, 6);
        int checked = 0;
        for (ParamInfo pi : ps) {
            if (!pi.name().startsWith(GraphNames.BACKBONE_SCOPE + "/")) {
                continue;
            }
            long idx = pi.offset() + r.nextInt((int) pi.length());
            double x0 = m.params().getDouble(0, idx);
            double h = 1e-6;
            m.params().putScalar(0, idx, x0 + h);
            double up = loss(m, ph);
            m.params().putScalar(0, idx, x0 - h);
            double down = loss(m, ph);
            m.params().putScalar(0, idx, x0);
            double fd = (up - down) / (2 * h);
            double an = grad.getDouble(0, idx);
            assertEquals(fd, an, 1e-6 + 1e-3 * Math.abs(fd), pi.name() + "[" + (idx - pi.offset()) + "]");
            checked++;
        }
        assertEquals(6, checked);
    }

    /**
     * Backbone alone: L = Σ features(globals) ⊙ R1 + Σ features(locals) ⊙ R2 (R fixed random), gradients from
     * SameDiff vs central differences, in DOUBLE, for one random element of each of ten tensors: the embedding
     * parameters, the last block's attention and MLP weights and four more chosen at random (kept small: each
     * forward costs ~0.3–1 s on the shared CI machine).
     */
    @Test
    void backboneGradientsMatchFiniteDifferences() {
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        Random r = new Random(9);
        VisionTransformer vit = new VisionTransformer(MICRO);
        org.nd4j.autodiff.samediff.SDVariable gx = sd.placeHolder("g", DataType.DOUBLE, -1, 1, -1, -1);
        org.nd4j.autodiff.samediff.SDVariable lx = sd.placeHolder("l", DataType.DOUBLE, -1, 1, -1, -1);
        org.dino4j.core.model.Backbone.Instance f = vit.define(org.dino4j.core.model.GraphScope.of(sd, "vit", DataType.DOUBLE,
                new Random(10)));
        INDArray r1 = images(r, DataType.DOUBLE, 1, 1, 3, 8).reshape(3, 8);
        INDArray r2 = images(r, DataType.DOUBLE, 1, 1, 2, 8).reshape(2, 8);
        org.nd4j.autodiff.samediff.SDVariable loss = f.apply(gx).mul(sd.constant(r1)).sum()
                .add(f.apply(lx).mul(sd.constant(r2)).sum());
        sd.setLossVariables(loss);
        List<String> names = new ArrayList<>();
        for (org.nd4j.autodiff.samediff.SDVariable v : sd.variables()) {
            if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
                names.add(v.name());
                INDArray a = v.getArr();
                a.addi(images(r, DataType.DOUBLE, 1, 1, 1, (int) a.length()).reshape(a.shape()).muli(0.3));
            }
        }
        Map<String, INDArray> ph = Map.of("g", images(r, DataType.DOUBLE, 3, 1, 12, 12),
                "l", images(r, DataType.DOUBLE, 2, 1, 8, 8));
        Map<String, INDArray> grads = sd.calculateGradients(ph, names);
        List<String> chosen = new ArrayList<>(List.of("vit/patch_w", "vit/pos_embed", "vit/cls_token",
                "vit/cls_pos", "vit/blk1/q_w", "vit/blk1/k_w", "vit/blk1/fc1_w"));
        List<String> rest = new ArrayList<>(names);
        rest.removeAll(chosen);
        java.util.Collections.shuffle(rest, r);
        chosen.addAll(rest.subList(0, 3));
        int checked = 0;
        for (String n : chosen) {
            INDArray a = sd.getArrForVarName(n);
            INDArray gr = grads.get(n).dup('c');
            for (int rep = 0; rep < 1; rep++) {
                long i = r.nextInt((int) a.length());
                double x0 = a.getDouble(i);
                double h = 1e-6;
                a.putScalar(i, x0 + h);
                double up = sd.output(ph, loss.name()).get(loss.name()).getDouble(0);
                a.putScalar(i, x0 - h);
                double down = sd.output(ph, loss.name()).get(loss.name()).getDouble(0);
                a.putScalar(i, x0);
                double fd = (up - down) / (2 * h);
                assertEquals(fd, gr.getDouble(i), 1e-7 + 1e-5 * Math.abs(fd), n + "[" + i + "]");
                checked++;
            }
        }
        assertEquals(10, checked);
        assertEquals(5 + 16 * MICRO.depth() + 2, names.size());
    }

    private static double loss(DinoModel m, Map<String, INDArray> ph) {
        return m.graph().output(ph, GraphNames.LOSS).get(GraphNames.LOSS).getDouble(0);
    }

    @Test
    void sameSeedSameParametersDifferentSeedDifferent() {
        INDArray a = micro(DataType.FLOAT, 11).params();
        INDArray b = micro(DataType.FLOAT, 11).params();
        INDArray c = micro(DataType.FLOAT, 12).params();
        assertEquals(0.0, a.sub(b).amaxNumber().doubleValue(), 0);
        assertTrue(a.sub(c).amaxNumber().doubleValue() > 1e-3);
    }

    @Test
    void parameterCountAndNames() {
        DinoModel m = micro(DataType.FLOAT, 13);
        long n = 0;
        for (ParamInfo pi : m.parameters()) {
            if (pi.name().startsWith("backbone/")) {
                n += pi.length();
            }
        }
        int d = 8, p = 4, hid = 16;
        long expected = (long) p * p * d + d + d + d + 9L * d
                + 2L * (2 * d + 4L * (d * d + d) + 2 * d + d * hid + hid + hid * d + d) + 2 * d;
        assertEquals(expected, n);
        assertTrue(m.parameters().stream().anyMatch(pi -> pi.name().equals("backbone/blk1/q_w") && pi.weightDecay()));
        assertTrue(m.parameters().stream().anyMatch(pi -> pi.name().equals("backbone/blk0/ln1_gain")
                && !pi.weightDecay()));
        // official get_params_groups decays every tensor with ndim > 1 that is not a bias: cls_token [1,1,D] and
        // pos_embed [1,T,D] there (cls_pos is row 0 of the official pos_embed)
        for (String name : List.of("backbone/cls_token", "backbone/cls_pos", "backbone/pos_embed", "backbone/patch_w")) {
            assertTrue(m.parameters().stream().anyMatch(pi -> pi.name().equals(name) && pi.weightDecay()), name);
        }
        for (String name : List.of("backbone/patch_b", "backbone/blk0/q_b", "backbone/norm_gain", "backbone/norm_bias")) {
            assertTrue(m.parameters().stream().anyMatch(pi -> pi.name().equals(name) && !pi.weightDecay()), name);
        }
    }

    @Test
    void saveAndLoadKeepTheArchitecture(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        DinoModel m = micro(DataType.FLOAT, 14);
        java.nio.file.Path f = dir.resolve("vit.bin");
        m.save(f);
        DinoModel back = DinoModel.load(f);
        assertEquals(m.backbone(), back.backbone());
        INDArray x = images(new Random(15), DataType.FLOAT, 2, 1, 12, 12);
        assertEquals(0.0, m.features(x).sub(back.features(x)).amaxNumber().doubleValue(), 0);
    }

    @Test
    void configValidation() {
        assertEquals("embedDim must be >= 1 and divisible by heads (3), got 64",
                assertThrows(IllegalArgumentException.class,
                        () -> VitConfig.builder().heads(3).build()).getMessage());
        assertEquals("dropPath must be in [0, 1), got 1.0", assertThrows(IllegalArgumentException.class,
                () -> VitConfig.builder().dropPath(1.0).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> VitConfig.builder().dropPath(-0.1).build()).getMessage().startsWith("dropPath"));
        assertEquals(0.1, VitConfig.builder().dropPath(0.1).build().dropPath());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> VitConfig.builder().inChannels(0).build()).getMessage().startsWith("inChannels"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> VitConfig.builder().patchSize(0).build()).getMessage().startsWith("patchSize"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> VitConfig.builder().depth(0).build()).getMessage().startsWith("depth"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> VitConfig.builder().mlpRatio(Double.NaN).build()).getMessage().startsWith("mlpRatio"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> VitConfig.builder().basePatchGrid(0).build()).getMessage().startsWith("basePatchGrid"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> VitConfig.builder().layerNormEps(0).build()).getMessage().startsWith("layerNormEps"));
        assertEquals(192, VitConfig.vitTiny224(3).embedDim());
        assertEquals(6, VitConfig.vitSmall224(3).heads());
        assertEquals(256, VitConfig.tiny28(1).mlpHidden());
    }
}
