package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.model.vit.VisionTransformer;
import org.dino4j.core.model.vit.VitConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Execution plans against SameDiff's session: a plan of SameDiff's ops computes bit for bit what the session
 * computes (every backbone, with and without local crops, both loss paths, the no-stop-gradient ablation); a plan with
 * fused kernels computes the same function to float rounding, and every declared region is really fused.
 */
class ModelRunnerTest {
    static final DinoHeadConfig HEAD = DinoModelTest.HEAD;

    /** One training call's inputs: crops and the teacher's logits of the global crops. */
    private record Batch(INDArray globals, INDArray locals, INDArray teacherLogits) {
        static Batch draw(Random r, int channels, int b, boolean withLocal) {
            INDArray g = DinoModelTest.images(r, DataType.FLOAT, 2 * b, channels, 28, 28);
            INDArray l = withLocal ? DinoModelTest.images(r, DataType.FLOAT, 3 * b, channels, 12, 12) : null;
            return new Batch(g, l, DinoModelTest.teacher(r, DataType.FLOAT, 2 * b, HEAD.outDim()));
        }
    }

    /** Loss, gradients and teacher logits of 3 steps (SGD in between), session model a vs model b in mode {@code e}. */
    private static void compare(Backbone backbone, int channels, boolean withLocal, boolean fusedLoss, Execution e,
                                double tolerance) {
        DinoModel a = DinoModel.create(backbone, HEAD, 3);
        a.plans().setExecution(Execution.SESSION);
        a.setFusedLoss(fusedLoss);
        DinoModel b = a.copy();
        b.plans().setExecution(e);
        b.setFusedLoss(fusedLoss);
        Random r = new Random(5);
        DinoLoss loss = DinoModelTest.loss(HEAD.outDim());
        for (int step = 0; step < 3; step++) {
            Batch x = Batch.draw(r, channels, 4, withLocal);
            double la = a.lossAndGradients(x.globals(), x.locals(), x.teacherLogits(), loss, null);
            double lb = b.lossAndGradients(x.globals(), x.locals(), x.teacherLogits(), loss, null);
            String what = backbone.name() + " locals " + withLocal + " fusedLoss " + fusedLoss + " " + e + " step " + step;
            assertEquals(la, lb, tolerance * Math.abs(la), "loss, " + what);
            assertClose(a.gradients(), b.gradients(), tolerance, "gradients, " + what);
            assertClose(a.globalLogits(x.globals()), b.globalLogits(x.globals()), tolerance, "teacher logits, " + what);
            assertClose(a.features(x.globals()), b.features(x.globals()), tolerance, "features, " + what);
            a.params().subi(a.gradients().mul(1e-3));
            b.params().assign(a.params());
        }
    }

    /** Max |x − y| ≤ tolerance · max |x| (0 tolerance: bit for bit). */
    static void assertClose(INDArray x, INDArray y, double tolerance, String what) {
        float[] p = x.ravel().toFloatVector();
        float[] q = y.ravel().toFloatVector();
        if (tolerance == 0) {
            assertArrayEquals(p, q, 0f, what);
            return;
        }
        double max = 0;
        double diff = 0;
        for (int i = 0; i < p.length; i++) {
            max = Math.max(max, Math.abs(p[i]));
            diff = Math.max(diff, Math.abs(p[i] - q[i]));
        }
        assertTrue(diff <= tolerance * max, what + ": max difference " + diff + " of max " + max);
    }

    private static VisionTransformer vit(double dropPath) {
        return new VisionTransformer(VitConfig.builder().embedDim(8).depth(2).heads(2).mlpRatio(2.0).dropPath(dropPath).build());
    }

    @Test
    void planOfSameDiffsOpsEqualsTheSessionBitForBit() {
        for (boolean withLocal : new boolean[] {true, false}) {
            for (boolean fusedLoss : new boolean[] {true, false}) {
                compare(new SmallResNet(SmallResNetConfig.tiny(1)), 1, withLocal, fusedLoss, Execution.PLAN, 0);
            }
            compare(new SmallResNet(new SmallResNetConfig(3, 4, List.of(4, 8), 1, 2, 1e-5, 4)), 3, withLocal, true,
                    Execution.PLAN, 0);
            // a 2×2 pooling grid: 7×7 global and 3×3 local maps, overlapping bins
            compare(new SmallResNet(new SmallResNetConfig(1, 4, List.of(4, 8), 0, 2, 1e-5, 4, 2)), 1, withLocal, true,
                    Execution.PLAN, 0);
            compare(vit(0), 1, withLocal, true, Execution.PLAN, 0);
        }
    }

    @Test
    void fusedPlanComputesTheSessionsFunction() {
        for (boolean withLocal : new boolean[] {true, false}) {
            compare(new SmallResNet(SmallResNetConfig.tiny(1)), 1, withLocal, true, Execution.FUSED, 1e-5);
            // RGB stem, residual blocks (GroupNorm without ReLU), in-graph loss
            compare(new SmallResNet(new SmallResNetConfig(3, 4, List.of(4, 8), 1, 2, 1e-5, 4)), 3, withLocal, false,
                    Execution.FUSED, 1e-5);
            compare(new SmallResNet(new SmallResNetConfig(1, 4, List.of(4, 8), 0, 2, 1e-5, 4, 2)), 1, withLocal, true,
                    Execution.FUSED, 1e-5);
        }
    }

    @Test
    void everyDeclaredRegionIsFused() {
        DinoModel m = DinoModel.create(new SmallResNet(new SmallResNetConfig(3, 4, List.of(4, 8), 1, 2, 1e-5, 4)), HEAD, 3);
        m.plans().setExecution(Execution.FUSED);
        m.plans().profile(true);
        Batch x = Batch.draw(new Random(1), 3, 4, true);
        m.lossAndGradients(x.globals(), x.locals(), x.teacherLogits(), DinoModelTest.loss(HEAD.outDim()), null);
        Set<String> labels = new TreeSet<>();
        for (Map<String, long[]> p : m.plans().profiles().values()) {
            labels.addAll(p.keySet());
        }
        for (String k : List.of("fused StemConvFusion", "fused bp StemConvFusion", "fused GroupNormFusion",
                "fused bp GroupNormFusion", "fused GeluFusion", "fused bp GeluFusion", "fused L2NormalizeFusion",
                "fused bp L2NormalizeFusion")) {
            assertTrue(labels.contains(k), k + " in " + labels);
        }
        // what the fused kernels replace is gone: no convolution backward of the stem's 3-channel input,
        // no GroupNorm moments, no GELU tanh, no head normalisation by broadcast division
        for (String op : List.of("reduce_sqnorm", "reduce_sqnorm_bp", "tanh", "tanh_bp", "multiply_bp", "reduce_norm2",
                "reduce_norm2_bp", "divide_bp")) {
            assertTrue(!labels.contains(op), op + " still runs: " + labels);
        }
    }

    @Test
    void noStopGradientPathRunsOnPlansBitForBit() {
        DinoModel a = DinoModel.create(new SmallResNet(SmallResNetConfig.tiny(1)), HEAD, 3);
        a.plans().setExecution(Execution.SESSION);
        DinoModel b = a.copy();
        b.plans().setExecution(Execution.PLAN);
        Random r = new Random(9);
        DinoLoss loss = DinoModelTest.loss(HEAD.outDim());
        loss.setTeacherTemp(0.04);
        loss.center().assign(DinoModelTest.images(r, DataType.FLOAT, 1, 1, 1, HEAD.outDim()).reshape(1, HEAD.outDim()));
        SelfDistillation selfA = new SelfDistillation(a);
        SelfDistillation selfB = new SelfDistillation(b);
        for (int step = 0; step < 2; step++) {
            Batch x = Batch.draw(r, 1, 4, true);
            SelfDistillation.Step sa = selfA.lossAndGradients(x.globals(), x.locals(), loss, null);
            SelfDistillation.Step sb = selfB.lossAndGradients(x.globals(), x.locals(), loss, null);
            assertEquals(sa.loss(), sb.loss(), 0.0);
            assertClose(sa.globalLogits(), sb.globalLogits(), 0, "logits");
            assertClose(a.gradients(), b.gradients(), 0, "gradients");
        }
    }

    @Test
    void stepsAfterTheFirstAllocateNoPlanMemory() {
        DinoModel m = DinoModel.create(new SmallResNet(SmallResNetConfig.tiny(1)), HEAD, 3);
        m.plans().setExecution(Execution.FUSED);
        Random r = new Random(2);
        DinoLoss loss = DinoModelTest.loss(HEAD.outDim());
        long[] bytes = new long[4];
        for (int step = 0; step < bytes.length; step++) {
            Batch x = Batch.draw(r, 1, 4, true);
            m.lossAndGradients(x.globals(), x.locals(), x.teacherLogits(), loss, null);
            m.globalLogitsView(x.globals());
            bytes[step] = m.plans().plannedBytes();
        }
        assertTrue(bytes[0] > 0);
        for (long b : bytes) {
            assertEquals(bytes[0], b, "plans are built once per input shape");
        }
        Batch x = Batch.draw(new Random(5), 1, 4, true);
        INDArray before = m.globalLogits(x.globals());
        m.plans().release();
        assertEquals(0, m.plans().plannedBytes(), "released plans hold no memory");
        assertEquals(before, m.globalLogits(x.globals()), "a plan recorded again gives the same logits");
        assertTrue(m.plans().plannedBytes() > 0);
    }
}
