package org.dino4j.core.pretrained;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dino4j.core.pretrained.io.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Inference of an imported torchvision ResNet ({@link ResNetSpec}; DINO's ResNet-50) with BatchNorm in inference
 * form: each BatchNorm after a convolution is folded into it, W' = W·γ/√(σ² + ε) per output channel and
 * b' = β − μ·γ/√(σ² + ε) (running mean μ and variance σ² of the checkpoint; computed in double). Forward: stem
 * conv 7×7/2 → ReLU → max-pool 3×3/2 (padding 1; after a ReLU zero padding equals PyTorch's −∞ padding) → the
 * bottleneck stages → global average pool → features {@code [B, 4·width₄]} (2048 for ResNet-50), as
 * {@code torchvision.models.resnet50} with {@code fc = Identity}. Convolutions are ND4J's {@code conv2d} op
 * (NCHW, explicit padding), eager.
 */
public final class PretrainedResNet implements PretrainedBackbone {
    private final ResNetSpec spec;
    private final Conv stem;
    private final List<Bottleneck> blocks = new ArrayList<>();

    /** A convolution with its BatchNorm folded in. */
    private record Conv(INDArray weight, INDArray bias, Conv2DConfig config) {
        INDArray apply(INDArray x) {
            return Nd4j.exec(new Conv2D(x, weight, bias, config))[0];
        }
    }

    private record Bottleneck(Conv c1, Conv c2, Conv c3, Conv down) {
    }

    /**
     * @param weights validated weights (torchvision names, BatchNorm statistics included)
     */
    public PretrainedResNet(BackboneWeights.ResNet weights) {
        this.spec = weights.spec();
        Map<String, Tensor> t = weights.tensors();
        stem = fold(t, "conv1.weight", "bn1", 2, 3);
        for (int s = 0; s < 4; s++) {
            for (int j = 0; j < spec.blocks()[s]; j++) {
                String b = "layer" + (s + 1) + "." + j + ".";
                int stride = ResNetSpec.stride(s, j);
                Conv down = spec.hasDownsample(s, j) ? fold(t, b + "downsample.0.weight", b + "downsample.1", stride, 0)
                        : null;
                blocks.add(new Bottleneck(fold(t, b + "conv1.weight", b + "bn1", 1, 0),
                        fold(t, b + "conv2.weight", b + "bn2", stride, 1),
                        fold(t, b + "conv3.weight", b + "bn3", 1, 0), down));
            }
        }
    }

    /** @return the architecture */
    public ResNetSpec spec() {
        return spec;
    }

    @Override
    public int featureDim() {
        return spec.featureDim();
    }

    @Override
    public int inChannels() {
        return spec.inChannels();
    }

    @Override
    public String describe() {
        return spec.describe();
    }

    @Override
    public synchronized INDArray features(INDArray images) {
        if (images.rank() != 4 || images.size(1) != spec.inChannels()) {
            throw new IllegalArgumentException("images must be [B, " + spec.inChannels() + ", H, W], got "
                    + java.util.Arrays.toString(images.shape()));
        }
        INDArray x = Transforms.relu(stem.apply(images.castTo(DataType.FLOAT)), false);
        Pooling2DConfig pc = Pooling2DConfig.builder().kH(3).kW(3).sH(2).sW(2).pH(1).pW(1)
                .type(Pooling2D.Pooling2DType.MAX).paddingMode(PaddingMode.VALID).isNHWC(false).build();
        x = Nd4j.exec(new MaxPooling2D(x, null, pc))[0];
        for (Bottleneck b : blocks) {
            INDArray idt = b.down() == null ? x : b.down().apply(x);
            INDArray y = Transforms.relu(b.c1().apply(x), false);
            y = Transforms.relu(b.c2().apply(y), false);
            y = b.c3().apply(y).addi(idt);
            x = Transforms.relu(y, false);
        }
        return x.mean(2, 3).reshape(x.size(0), x.size(1));
    }

    @Override
    public void close() {
        // no threads of its own
    }

    /** Convolution weight [O, I, k, k] + BatchNorm → ND4J weight [k, k, I, O] and bias [O]. */
    private Conv fold(Map<String, Tensor> t, String conv, String bn, int stride, int pad) {
        Tensor w = t.get(conv);
        int o = (int) w.dim(0);
        int in = (int) w.dim(1);
        int k = (int) w.dim(2);
        float[] g = t.get(bn + ".weight").data();
        float[] beta = t.get(bn + ".bias").data();
        float[] mu = t.get(bn + ".running_mean").data();
        float[] var = t.get(bn + ".running_var").data();
        float[] wy = new float[k * k * in * o];
        float[] bias = new float[o];
        for (int oc = 0; oc < o; oc++) {
            double s = g[oc] / Math.sqrt(var[oc] + spec.batchNormEps());
            bias[oc] = (float) (beta[oc] - mu[oc] * s);
            for (int ic = 0; ic < in; ic++) {
                for (int y = 0; y < k; y++) {
                    for (int x = 0; x < k; x++) {
                        wy[((y * k + x) * in + ic) * o + oc] = (float) (w.data()[((oc * in + ic) * k + y) * k + x] * s);
                    }
                }
            }
        }
        Conv2DConfig cc = Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(pad).pW(pad)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
        return new Conv(Nd4j.createFromArray(wy).reshape('c', k, k, in, o), Nd4j.createFromArray(bias), cc);
    }
}
