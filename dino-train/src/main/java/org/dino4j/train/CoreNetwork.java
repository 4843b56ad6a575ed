package org.dino4j.train;

import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.ParamInfo;
import org.dino4j.core.model.SmallResNet;
import org.dino4j.core.model.SmallResNetConfig;
import org.dino4j.train.config.ModelConfig;
import org.dino4j.train.optim.ParamSegment;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link TrainableNetwork} over dino-core's {@link DinoModel} (backbone + DINO head in one SameDiff graph). */
public final class CoreNetwork implements TrainableNetwork {
    private final DinoModel model;
    private final List<ParamSegment> layout;

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
     * Builds the student of a config for images with {@code channels} channels, initialised from {@code seed}.
     */
    public static CoreNetwork create(ModelConfig m, int channels, long seed) {
        return new CoreNetwork(DinoModel.create(new SmallResNet(backboneConfig(m, channels)), headConfig(m), seed));
    }

    /** The SmallResNet config of a model config. */
    public static SmallResNetConfig backboneConfig(ModelConfig m, int channels) {
        return new SmallResNetConfig(channels, m.stem(), m.widths(), m.blocksPerStage(), m.groups(), 1e-5, m.minInputSize());
    }

    /** The head config of a model config. */
    public static DinoHeadConfig headConfig(ModelConfig m) {
        return new DinoHeadConfig(m.headHidden(), m.headBottleneck(), m.outDim(), m.headLayers(), m.normLastLayer(), 1e-12);
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
    public INDArray globalLogits(INDArray globals) {
        return model.globalLogits(globals);
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
