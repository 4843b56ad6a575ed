package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.dino4j.core.exec.Execution;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PlanIdentityTest {
    @Test
    void planEqualsSessionBitForBit() {
        for (boolean withLocal : new boolean[] {true, false}) {
            DinoModel a = DinoModelTest.tiny(DataType.FLOAT, 3);
            a.setExecution(Execution.SESSION);
            DinoModel b = a.copy();
            b.setExecution(Execution.PLAN);
            Random r = new Random(5);
            for (int step = 0; step < 3; step++) {
                INDArray g = DinoModelTest.images(r, DataType.FLOAT, 8, 1, 28, 28);
                INDArray l = withLocal ? DinoModelTest.images(r, DataType.FLOAT, 12, 1, 12, 12) : null;
                int rows = 8 + (withLocal ? 12 : 0);
                INDArray t = DinoModelTest.targets(r, DataType.FLOAT, rows, 10);
                INDArray w = DinoModelTest.weights(r, DataType.FLOAT, rows);
                double la = a.lossAndGradients(g, l, t, w, 0.1);
                INDArray za = a.globalLogits(g);
                double lb = b.lossAndGradients(g, l, t, w, 0.1);
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
        for (boolean withLocal : new boolean[] {true, false}) {
            DinoModel a = DinoModelTest.tiny(DataType.FLOAT, 3);
            a.setExecution(Execution.SESSION);
            DinoModel b = a.copy();
            b.setExecution(Execution.FUSED);
            Random r = new Random(5);
            for (int step = 0; step < 3; step++) {
                INDArray g = DinoModelTest.images(r, DataType.FLOAT, 8, 1, 28, 28);
                INDArray l = withLocal ? DinoModelTest.images(r, DataType.FLOAT, 12, 1, 12, 12) : null;
                int rows = 8 + (withLocal ? 12 : 0);
                INDArray t = DinoModelTest.targets(r, DataType.FLOAT, rows, 10);
                INDArray w = DinoModelTest.weights(r, DataType.FLOAT, rows);
                double la = a.lossAndGradients(g, l, t, w, 0.1);
                INDArray za = a.globalLogits(g);
                double lb = b.lossAndGradients(g, l, t, w, 0.1);
                INDArray zb = b.globalLogits(g);
                assertEquals(la, lb, 1e-5 * Math.abs(la), "loss step " + step);
                float[] ga = a.gradients().toFloatVector();
                float[] gb = b.gradients().toFloatVector();
                double maxA = 0, diff = 0;
                for (int i = 0; i < ga.length; i++) {
                    maxA = Math.max(maxA, Math.abs(ga[i]));
                    diff = Math.max(diff, Math.abs(ga[i] - gb[i]));
                }
                System.out.println("step " + step + " local " + withLocal + " max|g| " + maxA + " maxdiff " + diff);
                assertEquals(0, diff, 1e-4 * maxA, "grads step " + step);
                assertArrayEquals(za.ravel().toFloatVector(), zb.ravel().toFloatVector(), 1e-4f, "teacher logits step " + step);
                a.params().subi(a.gradients().mul(0.01));
                b.params().assign(a.params());
            }
        }
    }
}
