package org.dino4j.train;

import org.dino4j.core.model.DinoModel;
import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.model.ParamInfo;
import org.dino4j.core.model.SelfDistillation;
import org.dino4j.train.config.ModelConfig;
import org.dino4j.train.run.RuntimeOverrides;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** A {@link TrainableNetwork} over dino-core's {@link DinoModel} (backbone + DINO head in one SameDiff graph). */
public final class CoreNetwork implements TrainableNetwork {
    private final DinoModel model;
    /** The no-stop-gradient path, built on first use. */
    private SelfDistillation self;

    /** Wraps a model. */
    public CoreNetwork(DinoModel model) {
        this.model = model;
    }

    /**
     * Builds the student of a config for images with {@code channels} channels, initialised from {@code seed}: the
     * registered backbone {@code model.backbone} with its options + the DINO head, with the command line's
     * {@link RuntimeOverrides}.
     */
    public static CoreNetwork create(ModelConfig m, int channels, long seed) {
        return new CoreNetwork(RuntimeOverrides.applyTo(DinoModel.create(m.createBackbone(channels), m.head(), seed)));
    }

    /** An identical network with its own parameters (the teacher). */
    public CoreNetwork copy() {
        return new CoreNetwork(model.copy());
    }

    /** The wrapped model. */
    public DinoModel model() {
        return model;
    }

    @Override
    public INDArray params() {
        return model.params();
    }

    @Override
    public INDArray gradients() {
        return model.gradients();
    }

    @Override
    public List<ParamInfo> layout() {
        return model.parameters();
    }

    @Override
    public int outDim() {
        return model.headConfig().outDim();
    }

    @Override
    public double lossAndGradients(INDArray globals, INDArray locals, INDArray teacherLogits, DinoLoss loss, Random stepRng) {
        return model.lossAndGradients(globals, locals, teacherLogits, loss, stepRng);
    }

    @Override
    public SelfStep selfDistillLossAndGradients(INDArray globals, INDArray locals, DinoLoss loss, Random stepRng) {
        if (self == null) self = new SelfDistillation(model);
        SelfDistillation.Step r = self.lossAndGradients(globals, locals, loss, stepRng);
        return new SelfStep(r.loss(), r.globalLogits());
    }

    /** The model's own output array ({@link DinoModel#globalLogitsView}): valid until the next call on this network. */
    @Override
    public INDArray globalLogits(INDArray globals) {
        return model.globalLogitsView(globals);
    }

    @Override
    public INDArray features(INDArray images) {
        return model.features(images);
    }

    @Override
    public void releasePlans() {
        model.plans().release();
    }

    @Override
    public void exportBackbone(Path file) throws IOException {
        model.exportBackbone(file);
    }
}
