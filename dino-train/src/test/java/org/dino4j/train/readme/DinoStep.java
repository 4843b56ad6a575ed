package org.dino4j.train.readme;

import java.util.Random;
import org.dino4j.core.ema.Ema;
import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.optim.AdamW;
import org.dino4j.core.optim.GradientClipping;
import org.nd4j.linalg.api.ndarray.INDArray;

public class DinoStep implements AutoCloseable {
    private final DinoModel student, teacher;                  // same architecture, same initial parameters
    private final DinoLoss loss;                               // τ_s, τ_t, the center
    private final AdamW adamw;
    private final Ema ema = new Ema(1);

    public DinoStep(DinoModel student, DinoModel teacher) {
        this.student = student;
        this.teacher = teacher;
        this.loss = new DinoLoss(DinoLoss.Options.dino(student.headConfig().outDim()));  // τ_s 0.1, center momentum 0.9
        this.adamw = new AdamW(student.parameters(), AdamW.Options.pytorch());
    }

    /** One iteration; lr, wd, momentum, teacherTemp are its values of the Schedules. */
    public double step(INDArray globals, INDArray locals, double lr, double wd, double momentum, double teacherTemp,
                       boolean freezeLastLayer, Random rng) {
        loss.setTeacherTemp(teacherTemp);
        INDArray zt = teacher.globalLogits(globals);                          // teacher: the 2 global crops
        double l = student.lossAndGradients(globals, locals, zt, loss, rng);  // student: all crops -> L, dL/dθ
        GradientClipping.perTensor(student.gradients(), student.parameters(), 3.0, null);
        if (freezeLastLayer) GradientClipping.zeroLastLayer(student.gradients(), student.parameters());
        adamw.step(student.params(), student.gradients(), lr, wd, freezeLastLayer);
        ema.update(teacher.params(), student.params(), momentum);             // θt ← λ·θt + (1−λ)·θs
        loss.updateCenter(zt);                                                // c ← m·c + (1−m)·mean(z_t)
        return l;
    }

    @Override
    public void close() {
        loss.close();
        ema.close();
    }
}
