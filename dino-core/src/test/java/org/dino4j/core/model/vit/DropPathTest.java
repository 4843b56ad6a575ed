package org.dino4j.core.model.vit;

import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.loss.Float64Reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.dino4j.core.model.GraphNames;
import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.DinoModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Drop path (stochastic depth): rates, sampling, the graph against float64, determinism, eval-mode identity. */
class DropPathTest {
    /** MICRO with depth 3 and drop-path rate 0.5 (rates 0, 0.25, 0.5). */
    static final VitConfig DROP = VitConfig.builder().embedDim(8).depth(3).heads(2).mlpRatio(2.0).dropPath(0.5).basePatchGrid(3).build();
    static final DinoHeadConfig HEAD = DinoHeadConfig.builder().hiddenDim(16).bottleneckDim(8).outDim(10).build();

    static DinoModel model(VitConfig c, DataType dt, long seed) {
        return DinoModel.create(new VisionTransformer(c), HEAD, dt, seed);
    }

    @Test
    void ratesIncreaseLinearlyAndSamplesAreZeroOrInverseKeep() {
        assertArrayEquals(new double[] {0, 0.25, 0.5}, DropPath.rates(DROP), 1e-15);
        assertArrayEquals(new double[] {0}, DropPath.rates(VitConfig.builder().embedDim(8).depth(1).heads(2).mlpRatio(2.0).dropPath(0.3).basePatchGrid(3).build()), 0);
        assertEquals(6, DropPath.columns(DROP));
        assertEquals(0, DropPath.columns(DROP.withDropPath(0)));
        INDArray f = DropPath.sample(DROP, 4000, new Random(1), DataType.DOUBLE);
        assertArrayEquals(new long[] {4000, 6}, f.shape());
        for (int col = 0; col < 6; col++) {
            double keep = 1 - DropPath.rates(DROP)[col / 2];
            int kept = 0;
            for (int r = 0; r < 4000; r++) {
                double v = f.getDouble(r, col);
                assertTrue(v == 0 || Math.abs(v - 1 / keep) < 1e-12, "value " + v);
                kept += v > 0 ? 1 : 0;
            }
            // Bernoulli(keep) over 4000 draws: within 5 standard deviations
            double sd = Math.sqrt(4000 * keep * (1 - keep));
            assertEquals(4000 * keep, kept, 5 * sd + 1e-9, "column " + col);
        }
        assertEquals(0.0, f.sub(DropPath.sample(DROP, 4000, new Random(1), DataType.DOUBLE)).amaxNumber().doubleValue(), 0);
        assertNotEquals(0.0, f.sub(DropPath.sample(DROP, 4000, new Random(2), DataType.DOUBLE)).amaxNumber().doubleValue());
    }

    /** The graph's drop path (fixed factors fed to the placeholder) against the float64 loop. */
    @Test
    void graphWithFactorsMatchesFloat64Reference() {
        DinoModel m = model(DROP, DataType.DOUBLE, 3);
        VisionTransformerTest.perturb(m, 4);
        Random r = new Random(5);
        INDArray x = VisionTransformerTest.images(r, DataType.DOUBLE, 3, 1, 12, 12);
        double[][] fac = {{1, 0, 4.0 / 3, 0, 2, 2}, {1, 1, 0, 4.0 / 3, 0, 0}, {1, 1, 4.0 / 3, 4.0 / 3, 2, 2}};
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(GraphNames.GLOBAL_CROPS, x);
        ph.put(VisionTransformer.dropPathName(GraphNames.BACKBONE_SCOPE, 0), Nd4j.createFromArray(fac));
        SameDiff g = m.graph();
        INDArray feats = g.output(ph, GraphNames.FEATURES).get(GraphNames.FEATURES).dup('c');
        INDArray eval = m.features(x);
        for (int b = 0; b < 3; b++) {
            // block 0 has rate 0: the graph ignores its two factors (sample 0 has a 0 there)
            double[] used = fac[b].clone();
            used[0] = 1;
            used[1] = 1;
            double[] ref = VitRef.forward(m, VisionTransformerTest.image(x, b), used).features;
            double[] refEval = VitRef.forward(m, VisionTransformerTest.image(x, b)).features;
            for (int e = 0; e < ref.length; e++) {
                assertEquals(ref[e], feats.getDouble(b, e), 1e-9, "train-mode feature " + b + "," + e);
                assertEquals(refEval[e], eval.getDouble(b, e), 1e-9, "eval feature " + b + "," + e);
            }
        }
        // the factors matter: sample 0 with all-ones factors differs
        assertTrue(Math.abs(VitRef.forward(m, VisionTransformerTest.image(x, 0)).features[0] - feats.getDouble(0, 0)) > 1e-6);
    }

    @Test
    void trainingStepIsDeterministicPerSeedAndEvalModeIsTheIdentity() {
        DinoModel m = model(DROP, DataType.FLOAT, 7);
        DinoModel noDrop = model(DROP.withDropPath(0), DataType.FLOAT, 7);
        assertEquals(0.0, m.params().sub(noDrop.params()).amaxNumber().doubleValue(), 0, "rate does not change init");
        Random r = new Random(8);
        INDArray g = VisionTransformerTest.images(r, DataType.FLOAT, 4, 1, 12, 12);
        INDArray l = VisionTransformerTest.images(r, DataType.FLOAT, 4, 1, 8, 8);
        // eval mode (forward methods, teacher): exactly the network without drop path
        assertEquals(0.0, m.features(g).sub(noDrop.features(g)).amaxNumber().doubleValue(), 0);
        assertEquals(0.0, m.globalLogits(g).sub(noDrop.globalLogits(g)).amaxNumber().doubleValue(), 0);
        INDArray zt = Float64Reference.randomLogits(r, 4, 10, 2.0, DataType.FLOAT);
        DinoLoss loss = new DinoLoss(DinoLoss.Options.dino(10));
        loss.setTeacherTemp(0.07);
        double plain = noDrop.lossAndGradients(g, l, zt, loss, null);
        INDArray plainGrad = noDrop.gradients().dup();
        assertEquals(plain, m.lossAndGradients(g, l, zt, loss, null), 0, "null Random: no drop");
        assertEquals(0.0, m.gradients().sub(plainGrad).amaxNumber().doubleValue(),
                1e-5 * plainGrad.amaxNumber().doubleValue(), "same gradient up to float rounding");
        // training mode: same seed → same loss and gradient; another seed → another mask
        double a = m.lossAndGradients(g, l, zt, loss, new Random(42));
        INDArray ga = m.gradients().dup();
        double b = m.lossAndGradients(g, l, zt, loss, new Random(42));
        assertEquals(a, b, 0);
        assertEquals(0.0, m.gradients().sub(ga).amaxNumber().doubleValue(), 0);
        assertNotEquals(a, plain);
        assertNotEquals(a, m.lossAndGradients(g, l, zt, loss, new Random(43)));
        // the masks are DropPath.sample from that Random, globals first, then locals
        Random rng = new Random(42);
        DinoLoss.Targets t = loss.targets(zt, 2);
        Map<String, INDArray> ph = new HashMap<>(Map.of(GraphNames.GLOBAL_CROPS, g, GraphNames.LOCAL_CROPS, l,
                GraphNames.TARGETS, t.targets(), GraphNames.ROW_WEIGHTS, t.rowWeights(),
                GraphNames.TAU_S, Nd4j.scalar(DataType.FLOAT, 0.1)));
        ph.put(VisionTransformer.dropPathName(GraphNames.BACKBONE_SCOPE, 0), DropPath.sample(DROP, 4, rng, DataType.FLOAT));
        ph.put(VisionTransformer.dropPathName(GraphNames.BACKBONE_SCOPE, 1), DropPath.sample(DROP, 4, rng, DataType.FLOAT));
        assertEquals(a, m.graph().output(ph, GraphNames.LOSS).get(GraphNames.LOSS).getDouble(0), 1e-5 * Math.abs(a));
    }

    @Test
    void exportedBackboneHasNoDropPathPlaceholder(@TempDir Path dir) throws Exception {
        DinoModel m = model(DROP, DataType.FLOAT, 9);
        Path f = dir.resolve("backbone.sd");
        m.exportBackbone(f);
        SameDiff g = SameDiff.load(f.toFile(), false);
        // no array cache in this thread's session (docs/nd4j-pitfalls.md, "Array cache": cached outputs can carry a wrong order label)
        org.nd4j.autodiff.samediff.internal.InferenceSession session = new org.nd4j.autodiff.samediff.internal.InferenceSession(g);
        session.setMmgr(new org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr());
        g.getSessions().put(Thread.currentThread().getId(), session);
        INDArray x = VisionTransformerTest.images(new Random(10), DataType.FLOAT, 2, 1, 12, 12);
        assertFalse(g.hasVariable(VisionTransformer.dropPathName(GraphNames.BACKBONE_SCOPE, 0)));
        INDArray y = g.output(Map.of(GraphNames.IMAGES, x), GraphNames.FEATURES).get(GraphNames.FEATURES);
        assertEquals(0.0, y.sub(m.features(x)).amaxNumber().doubleValue(), 1e-6);
        // attention maps of a drop-path model are the eval-mode ones
        INDArray att = AttentionMaps.lastAttention(m, x);
        assertArrayEquals(new long[] {2, 2, 10, 10}, att.shape());
    }
}
