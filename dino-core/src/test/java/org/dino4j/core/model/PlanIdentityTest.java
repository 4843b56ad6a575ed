package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.loss.DinoLoss;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Execution plans against SameDiff's session: bit-identical without fused kernels, within float rounding with them. */
class PlanIdentityTest {
    @Test
    void planEqualsSessionBitForBit() {
        DinoLoss loss = DinoModelTest.loss(10);
        for (boolean withLocal : new boolean[] {true, false}) {
            DinoModel a = DinoModelTest.tiny(DataType.FLOAT, 3);
            a.setExecution(Execution.SESSION);
            DinoModel b = a.copy();
            b.setExecution(Execution.PLAN);
            Random r = new Random(5);
            for (int step = 0; step < 3; step++) {
                INDArray g = DinoModelTest.images(r, DataType.FLOAT, 8, 1, 28, 28);
                INDArray l = withLocal ? DinoModelTest.images(r, DataType.FLOAT, 12, 1, 12, 12) : null;
                INDArray zt = DinoModelTest.teacher(r, DataType.FLOAT, 8, 10);
                double la = a.lossAndGradients(g, l, zt, loss, null);
                INDArray za = a.globalLogits(g);
                double lb = b.lossAndGradients(g, l, zt, loss, null);
                INDArray zb = b.globalLogits(g);
                assertEquals(la, lb, 0.0, "loss step " + step);
                assertArrayEquals(a.gradients().toFloatVector(), b.gradients().toFloatVector(), 0f, "grads step " + step);
                assertArrayEquals(za.ravel().toFloatVector(), zb.ravel().toFloatVector(), 0f, "teacher logits step " + step);
                a.params().subi(a.gradients().mul(0.01));
                b.params().subi(b.gradients().mul(0.01));
            }
        }
    }

    @Test
    void fusedPlanMatchesSession() {
        DinoLoss loss = DinoModelTest.loss(10);
        for (boolean withLocal : new boolean[] {true, false}) {
            DinoModel a = DinoModelTest.tiny(DataType.FLOAT, 3);
            a.setExecution(Execution.SESSION);
            DinoModel b = a.copy();
            b.setExecution(Execution.FUSED);
            Random r = new Random(5);
            for (int step = 0; step < 3; step++) {
                INDArray g = DinoModelTest.images(r, DataType.FLOAT, 8, 1, 28, 28);
                INDArray l = withLocal ? DinoModelTest.images(r, DataType.FLOAT, 12, 1, 12, 12) : null;
                INDArray zt = DinoModelTest.teacher(r, DataType.FLOAT, 8, 10);
                double la = a.lossAndGradients(g, l, zt, loss, null);
                INDArray za = a.globalLogits(g);
                double lb = b.lossAndGradients(g, l, zt, loss, null);
                INDArray zb = b.globalLogits(g);
                assertEquals(la, lb, 1e-5 * Math.abs(la), "loss step " + step);
                float[] ga = a.gradients().toFloatVector();
                float[] gb = b.gradients().toFloatVector();
                double maxA = 0, diff = 0;
                for (int i = 0; i < ga.length; i++) {
                    maxA = Math.max(maxA, Math.abs(ga[i]));
                    diff = Math.max(diff, Math.abs(ga[i] - gb[i]));
                }
                assertEquals(0, diff, 1e-4 * maxA, "grads step " + step);
                assertArrayEquals(za.ravel().toFloatVector(), zb.ravel().toFloatVector(), 1e-4f, "teacher logits step " + step);
                a.params().subi(a.gradients().mul(0.01));
                b.params().assign(a.params());
            }
        }
    }
}
