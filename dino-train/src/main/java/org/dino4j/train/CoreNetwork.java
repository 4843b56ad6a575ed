package org.dino4j.train;

import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.ParamInfo;
import org.dino4j.core.loss.TeacherTargets;
import org.nd4j.linalg.api.buffer.DataType;
import org.dino4j.train.config.ModelConfig;
import org.dino4j.train.optim.ParamSegment;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A {@link TrainableNetwork} over dino-core's {@link DinoModel} (backbone + DINO head in one SameDiff graph). */
public final class CoreNetwork implements TrainableNetwork {
    private final DinoModel model;
    private final List<ParamSegment> layout;
    /** Regrouping matrix and row weights of the no-stop-gradient path, for the last (numLocal, batch); built once. */
    private INDArray regroup, selfRowWeights;

    /** Wraps a model. */
    public CoreNetwork(DinoModel model) {
        this.model = model;
        List<ParamSegment> l = new ArrayList<>();
        for (ParamInfo p : model.parameters()) {
            l.add(new ParamSegment(p.name(), Math.toIntExact(p.offset()), Math.toIntExact(p.length()), p.weightDecay(), p.lastLayer()));
        }
        this.layout = List.copyOf(l);
    }

    /**
     * Builds the student of a config for images with {@code channels} channels, initialised from {@code seed}: the
     * registered backbone {@code model.backbone} with its options + the DINO head.
     */
    public static CoreNetwork create(ModelConfig m, int channels, long seed) {
        return new CoreNetwork(DinoModel.create(m.createBackbone(channels), m.head(), seed));
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
    public List<ParamSegment> layout() {
        return layout;
    }

    @Override
    public int outDim() {
        return model.headConfig().outDim();
    }

    @Override
    public double lossAndGradients(INDArray globals, INDArray locals, INDArray targets, INDArray rowWeights, double tauS) {
        return model.lossAndGradients(globals, locals, targets, rowWeights, tauS);
    }

    @Override
    public double lossAndGradients(INDArray globals, INDArray locals, INDArray targets, INDArray rowWeights, double tauS,
                                   Random dropPathRng) {
        return model.lossAndGradients(globals, locals, targets, rowWeights, tauS, dropPathRng);
    }

    @Override
    public SelfStep selfDistillLossAndGradients(INDArray globals, INDArray locals, INDArray center, double tauT, double tauS,
                                                Random dropPathRng) {
        int batch = Math.toIntExact(globals.size(0) / 2);
        int numLocal = locals == null ? 0 : Math.toIntExact(locals.size(0) / batch);
        long rows = (long) (2 + numLocal) * batch;
        if (regroup == null || regroup.size(0) != rows || regroup.size(1) != 2L * batch) {
            regroup = DinoModel.regroupMatrix(numLocal, batch, model.dataType());
            selfRowWeights = Nd4j.create(model.dataType(), rows, 1);
            TeacherTargets.rowWeights(numLocal, batch, selfRowWeights);
        }
        DinoModel.SelfDistillStep r = model.selfDistillLossAndGradients(globals, locals, center, tauT, regroup, selfRowWeights,
                tauS, dropPathRng);
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
    public void exportBackbone(Path file) throws IOException {
        model.exportBackbone(file);
    }
}
