package org.dino4j.core.model;

import java.util.Objects;
import java.util.Random;
import org.dino4j.core.exec.Fusions;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The DINO projection head in SameDiff (Caron et al. 2021, Appendix; reference {@code DINOHead}):
 * {@code features [B, inDim]} → MLP (Linear–GELU–…–Linear, {@code nLayers} linear layers) →
 * {@code z [B, bottleneck]} → ℓ2 normalisation {@code ẑ = z / max(‖z‖₂, ε)} → weight-normalised linear layer
 * without bias, {@code logits = ẑ · W}, {@code W[:, k] = g_k · v[:, k] / ‖v[:, k]‖₂} (Salimans &amp; Kingma 2016),
 * {@code v [bottleneck, K]}; g ≡ 1 (not a variable) when {@code normLastLayer}.
 *
 * <p>GELU: {@link Activations#gelu}, the tanh approximation 0.5x(1+tanh(√(2/π)(x+0.044715x³)))
 * (PyTorch's exact erf GELU differs by &lt; 1e-3). Init as DINO: MLP weights trunc-normal(std 0.02), biases
 * 0; v ~ U(±1/√bottleneck) (PyTorch nn.Linear default), g = 1.
 *
 * <p>With {@link DinoHeadConfig#useBn()} every hidden layer is Linear → batch normalisation (training-mode
 * statistics over the rows of the call) → GELU, as the official {@code use_bn} option.
 *
 * <p>Variable names under the scope: {@code mlp<i>_w [in, out]}, {@code mlp<i>_b [out]}, with BN
 * {@code mlp<i>_bn_gain [1, hidden]} and {@code mlp<i>_bn_bias [1, hidden]},
 * {@code last_layer/weight_v [bottleneck, K]} and, if trainable, {@code last_layer/weight_g [1, K]}; every
 * name containing {@link #LAST_LAYER} belongs to the last layer (frozen in DINO's first epoch).
 */
public final class DinoHead {
    /** Name fragment of the last layer's variables. */
    public static final String LAST_LAYER = "last_layer";

    private DinoHead() {
    }

    /**
     * The head applied to one input.
     *
     * @param embedding ℓ2-normalised bottleneck {@code [B, bottleneck]}
     * @param logits {@code [B, K]}
     */
    public record Output(SDVariable embedding, SDVariable logits) {
    }

    /** The head bound to one set of graph parameters; may be applied several times. */
    @FunctionalInterface
    public interface Instance {
        /**
         * @param features {@code [B, inDim]}
         * @return embedding and logits
         */
        Output apply(SDVariable features);
    }

    /**
     * Defines the head's parameters in {@code g}: the MLP's weight matrices and the last layer's direction {@code v}
     * take weight decay; biases, batch-norm gains/shifts and the last layer's gain {@code g} do not (DINO's
     * {@code get_params_groups}). Each GELU of every application is declared fusable ({@link GeluFusion}).
     *
     * @param g where to define it (scope e.g. {@code "head"})
     * @param inDim input (backbone feature) dimension, &gt;= 1
     * @param cfg head configuration
     * @return the shared-parameter head function
     */
    public static Instance define(GraphScope g, int inDim, DinoHeadConfig cfg) {
        final SameDiff sd = g.sd();
        final DataType dt = g.dataType();
        final Random rng = g.rng();
        final Fusions fusions = g.fusions();
        Objects.requireNonNull(cfg, "cfg");
        if (inDim < 1) {
            throw new IllegalArgumentException("inDim must be >= 1, got " + inDim);
        }
        int n = cfg.nLayers();
        SDVariable[] w = new SDVariable[n];
        SDVariable[] b = new SDVariable[n];
        SDVariable[] bnGain = new SDVariable[n];
        SDVariable[] bnBias = new SDVariable[n];
        for (int i = 0; i < n; i++) {
            int in = i == 0 ? inDim : cfg.hiddenDim();
            int out = i == n - 1 ? cfg.bottleneckDim() : cfg.hiddenDim();
            w[i] = g.param("mlp" + i + "_w", Init.truncNormal(rng, 0.02, dt, in, out), true);
            b[i] = g.param("mlp" + i + "_b", Init.fill(0.0, dt, out), false);
            if (cfg.useBn() && i < n - 1) {
                bnGain[i] = g.param("mlp" + i + "_bn_gain", Init.fill(1.0, dt, 1, out), false);
                bnBias[i] = g.param("mlp" + i + "_bn_bias", Init.fill(0.0, dt, 1, out), false);
            }
        }
        SDVariable v = g.param(LAST_LAYER + "/weight_v",
                Init.uniform(rng, 1.0 / Math.sqrt(cfg.bottleneckDim()), dt, cfg.bottleneckDim(), cfg.outDim()), true);
        SDVariable gain = cfg.normLastLayer() ? null
                : g.param(LAST_LAYER + "/weight_g", Init.fill(1.0, dt, 1, cfg.outDim()), false);
        double eps = cfg.l2Eps();
        SDVariable wn = v.div(v.norm2(true, 0));
        fusions.add(new L2NormalizeFusion(v.name(), wn.name(), 0, 0));
        final SDVariable weight = gain == null ? wn : wn.mul(gain);
        return x -> {
            SDVariable h = x;
            for (int i = 0; i < n; i++) {
                h = sd.nn.linear(h, w[i], b[i]);
                if (i < n - 1) {
                    if (bnGain[i] != null) {
                        h = batchNorm(sd, h, bnGain[i], bnBias[i]);
                    }
                    SDVariable pre = h;
                    h = Activations.gelu(sd, pre);
                    fusions.add(new GeluFusion(pre.name(), h.name()));
                }
            }
            SDVariable norm = sd.nn.relu(h.norm2(true, 1).sub(eps), 0).add(eps);
            SDVariable emb = h.div(norm);
            fusions.add(new L2NormalizeFusion(h.name(), emb.name(), 1, eps));
            return new Output(emb, emb.mmul(weight));
        };
    }

    /**
     * Training-mode batch normalisation of {@code x [R, F]} over its R rows (Ioffe &amp; Szegedy 2015):
     * {@code (x − mean) / sqrt(var + ε) · γ + β} with the biased variance, γ and β {@code [1, F]}; written with
     * plain differentiable ops so the gradient also flows through the batch statistics.
     */
    static SDVariable batchNorm(SameDiff sd, SDVariable x, SDVariable gain, SDVariable bias) {
        SDVariable centered = x.sub(x.mean(true, 0));
        SDVariable var = centered.mul(centered).mean(true, 0);
        return centered.div(sd.math.sqrt(var.add(DinoHeadConfig.BN_EPS))).mul(gain).add(bias);
    }
}
