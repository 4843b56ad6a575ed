package org.dino4j.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The SameDiff reference of the loss against the float64 pair loop, {@link DinoLoss}, and its stop-gradient. */
class DinoLossGraphTest {

    private static double lossOf(SameDiff sd) {
        return sd.output(Collections.emptyMap(), DinoLossGraph.LOSS).get(DinoLossGraph.LOSS).getDouble(0);
    }

    private static INDArray studentGrad(SameDiff sd) {
        return sd.calculateGradients(Collections.emptyMap(), DinoLossGraph.STUDENT_LOGITS)
                .get(DinoLossGraph.STUDENT_LOGITS).dup('c');
    }

    @Test
    void referenceLossAndGradientMatchFloat64AndTheFusedKernel() {
        Random rnd = new Random(21);
        int[][] cases = {{1, 2, 0}, {3, 8, 1}, {16, 8, 6}, {16, 8, 6}, {3, 1024, 8}, {1, 1024, 0}, {16, 2, 8}, {16, 2, 8}};
        double[][] temps = {{0.1, 0.04}, {0.5, 1.0}};
        for (int ci = 0; ci < cases.length; ci++) {
            int[] cs = cases[ci];
            {
                double[] tt = temps[ci % 2];
                int b = cs[0];
                int kk = cs[1];
                int n = cs[2];
                INDArray zs = Float64Reference.randomLogits(rnd, (2 + n) * b, kk, 2.0, DataType.FLOAT);
                INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 2.0, DataType.FLOAT);
                INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 0.5, DataType.FLOAT);
                SameDiff sd = DinoLossGraph.standalone(zs, zt, c, tt[0], tt[1], false);
                double loss = lossOf(sd);
                double[][] s = Float64Reference.rows(zs);
                double[][] t = Float64Reference.rows(zt);
                double[] cc = Float64Reference.rows(c)[0];
                double ref = Float64Reference.loss(s, t, cc, tt[0], tt[1]);
                String at = "B=" + b + " K=" + kk + " N=" + n + " tau=" + tt[0] + "/" + tt[1];
                assertEquals(ref, loss, 1e-5 * Math.abs(ref), at);

                double[][] g = Float64Reference.rows(studentGrad(sd));
                double[][] gRef = Float64Reference.gradient(s, t, cc, tt[0], tt[1]);
                double scale = Float64Reference.maxAbs(gRef);
                assertTrue(Float64Reference.maxAbsDiff(gRef, g) <= 1e-5 * scale, at + " reference vs float64");

                INDArray gf = Nd4j.create(DataType.FLOAT, zs.shape());
                try (DinoLoss kernels = DinoLossTest.loss(kk, tt[0], tt[1], c, 2)) {
                    double lf = kernels.lossAndGradient(zt, zs, gf);
                    assertEquals(loss, lf, 1e-5 * Math.abs(ref), at + " DinoLoss vs the graph's loss");
                }
                assertTrue(Float64Reference.maxAbsDiff(g, Float64Reference.rows(gf)) <= 1e-5 * scale,
                        at + " DinoLoss vs the graph's gradient");
            }
        }
    }

    /**
     * The graph's own gradient (SameDiff's backward pass, in double) against central differences of its loss, element
     * by element of the student logits (ND4J's {@code GradCheckUtil} would need the process-wide default data type
     * set to double).
     */
    @Test
    void sameDiffGradientMatchesCentralDifferencesInDouble() {
        Random rnd = new Random(4);
        int[][] cases = {{1, 3, 0}, {2, 3, 2}};
        double h = 1e-6;
        for (int[] cs : cases) {
            int b = cs[0];
            int kk = cs[1];
            int n = cs[2];
            INDArray zs = Float64Reference.randomLogits(rnd, (2 + n) * b, kk, 1.0, DataType.DOUBLE);
            INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 1.0, DataType.DOUBLE);
            INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 0.3, DataType.DOUBLE);
            SameDiff sd = DinoLossGraph.standalone(zs, zt, c, 0.1, 0.04, false);
            assertEquals(DataType.DOUBLE, sd.getVariable(DinoLossGraph.LOSS).dataType(), "the loss is computed in double");
            INDArray g = studentGrad(sd);
            INDArray z = sd.getArrForVarName(DinoLossGraph.STUDENT_LOGITS);
            for (int r = 0; r < z.rows(); r++) {
                for (int k = 0; k < kk; k++) {
                    double v = z.getDouble(r, k);
                    z.putScalar(r, k, v + h);
                    double up = lossOf(sd);
                    z.putScalar(r, k, v - h);
                    double down = lossOf(sd);
                    z.putScalar(r, k, v);
                    double numeric = (up - down) / (2 * h);
                    double analytic = g.getDouble(r, k);
                    assertEquals(numeric, analytic, 1e-5 * Math.max(Math.abs(numeric), Math.abs(analytic)) + 1e-9,
                            "dL/dz_s[" + r + "," + k + "] B=" + b + " K=" + kk + " N=" + n);
                }
            }
        }
    }

    @Test
    void noGradientReachesTeacherOrCenter() {
        Random rnd = new Random(8);
        int b = 3;
        int kk = 6;
        int n = 2;
        INDArray zs = Float64Reference.randomLogits(rnd, (2 + n) * b, kk, 1.0, DataType.DOUBLE);
        INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 1.0, DataType.DOUBLE);
        INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 0.3, DataType.DOUBLE);
        SameDiff sd = DinoLossGraph.standalone(zs, zt, c, 0.1, 0.04, true);
        Map<String, INDArray> g = sd.calculateGradients(Collections.emptyMap(), DinoLossGraph.STUDENT_LOGITS,
                DinoLossGraph.TEACHER_LOGITS, DinoLossGraph.CENTER);
        INDArray gs = g.get(DinoLossGraph.STUDENT_LOGITS);
        assertNotNull(gs);
        assertTrue(gs.norm2Number().doubleValue() > 1e-3, "student gradient must be non-zero");
        for (String name : new String[] {DinoLossGraph.TEACHER_LOGITS, DinoLossGraph.CENTER}) {
            INDArray gt = g.get(name);
            assertTrue(gt == null || gt.amaxNumber().doubleValue() == 0.0, name + " gradient must be null or zero");
        }
        // Without the stop-gradient the teacher would get a gradient: check the loss does depend on it.
        double before = lossOf(sd);
        sd.getArrForVarName(DinoLossGraph.TEACHER_LOGITS).addi(Float64Reference.randomLogits(rnd, 2 * b, kk, 1.0,
                DataType.DOUBLE));
        assertTrue(Math.abs(lossOf(sd) - before) > 1e-6, "loss must depend on the teacher logits");
    }

    @Test
    void placeholderGraphTakesAnyBatchSizeAndMatchesTheStandaloneValue() {
        Random rnd = new Random(13);
        int kk = 10;
        int n = 3;
        SameDiff sd = DinoLossGraph.placeholders(DataType.FLOAT, n, kk, 0.1, 0.04);
        for (int b : new int[] {2, 5}) {
            INDArray zs = Float64Reference.randomLogits(rnd, (2 + n) * b, kk, 2.0, DataType.FLOAT);
            INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 2.0, DataType.FLOAT);
            INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 0.5, DataType.FLOAT);
            Map<String, INDArray> ph = new HashMap<>();
            ph.put(DinoLossGraph.STUDENT_LOGITS, zs);
            ph.put(DinoLossGraph.TEACHER_LOGITS, zt);
            ph.put(DinoLossGraph.CENTER, c);
            Map<String, INDArray> out = sd.output(ph, DinoLossGraph.LOSS, DinoLossGraph.TEACHER_PROBS);
            double ref = Float64Reference.loss(Float64Reference.rows(zs), Float64Reference.rows(zt),
                    Float64Reference.rows(c)[0], 0.1, 0.04);
            assertEquals(ref, out.get(DinoLossGraph.LOSS).getDouble(0), 1e-5 * Math.abs(ref), "B=" + b);
            double[][] pt = Float64Reference.teacherProbs(Float64Reference.rows(zt), Float64Reference.rows(c)[0], 0.04);
            assertTrue(Float64Reference.maxAbsDiff(pt, Float64Reference.rows(out.get(DinoLossGraph.TEACHER_PROBS)))
                    < 1e-5, "teacher_probs B=" + b);
        }
    }

    @Test
    void badArgumentsThrow() {
        SameDiff sd = SameDiff.create();
        var s = sd.placeHolder("s", DataType.FLOAT, -1, 4);
        var t = sd.placeHolder("t", DataType.FLOAT, -1, 4);
        var c = sd.placeHolder("c", DataType.FLOAT, 1, 4);
        DinoLossTest.assertMessage("numGlobal", () -> DinoLossGraph.addLoss(sd, s, t, c, 0.1, 0.04, 1, 0, 4));
        DinoLossTest.assertMessage("numLocal", () -> DinoLossGraph.addLoss(sd, s, t, c, 0.1, 0.04, 2, -1, 4));
        DinoLossTest.assertMessage("tauS", () -> DinoLossGraph.addLoss(sd, s, t, c, -1, 0.04, 2, 0, 4));
        DinoLossTest.assertMessage("tauT", () -> DinoLossGraph.addLoss(sd, s, t, c, 0.1, 0, 2, 0, 4));
        DinoLossTest.assertMessage("k", () -> DinoLossGraph.addLoss(sd, s, t, c, 0.1, 0.04, 2, 0, 1));
    }
}
