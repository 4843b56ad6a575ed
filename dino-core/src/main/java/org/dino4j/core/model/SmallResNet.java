package org.dino4j.core.model;

import java.util.Objects;
import org.dino4j.core.exec.Fusions;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ResNet-style CNN with GroupNorm and average pooling (global, or to a g×g grid), see {@link SmallResNetConfig} for
 * the layout. Images {@code [B, C, H, W]} (NCHW) → features {@code [B, D]}, D = g² × the last stage's channels.
 * Inside, the feature maps are channels-last ({@code [B, H, W, C]}, NHWC): the images are transposed once in front of
 * the stem (inside the stem's fused kernel when it runs), because ND4J's oneDNN convolution is 27–38% faster forward
 * on NHWC arrays (docs/performance.md, {@code ConvLayoutBenchmark}). Convolutions are bias-free (each is followed by
 * GroupNorm's affine), weights {@code [kH, kW, inC, outC]} He-normal initialised (fan-in), GroupNorm gains 1 and biases 0.
 *
 * <p>Parameter names (under the scope): {@code stem/conv_w}, {@code stem/gn_gain}, {@code stem/gn_bias},
 * {@code s<i>/down/...}, {@code s<i>/b<j>/conv1_w}, {@code .../gn1_gain}, ... .
 */
public final class SmallResNet implements Backbone {
    private static final long serialVersionUID = 1L;

    private final SmallResNetConfig config;

    /**
     * @param config validated architecture
     */
    public SmallResNet(SmallResNetConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** @return the architecture */
    public SmallResNetConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "smallresnet";
    }

    @Override
    public int inChannels() {
        return config.inChannels();
    }

    @Override
    public int featureDim() {
        return config.featureDim();
    }

    @Override
    public int minInputSize() {
        return config.minInputSize();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SmallResNet s && s.config.equals(config);
    }

    @Override
    public int hashCode() {
        return config.hashCode();
    }

    @Override
    public String toString() {
        return "SmallResNet" + config;
    }

    /** One conv + GroupNorm unit's parameters. */
    private record ConvGn(SDVariable w, int stride, SDVariable gain, SDVariable bias, SDVariable groupAvg) {
    }

    /**
     * Convolution kernels take weight decay, GroupNorm gains and shifts do not; every conv's GroupNorm (+ ReLU) is
     * declared fusable.
     */
    @Override
    public Instance define(GraphScope g) {
        final SameDiff sd = g.sd();
        final Fusions fusions = g.fusions();
        final ConvGn stem = convGn(g, "stem/", "", config.inChannels(), config.stemChannels(), 1);
        int n = config.stageChannels().size();
        final ConvGn[] down = new ConvGn[n];
        final ConvGn[][] b1 = new ConvGn[n][config.blocksPerStage()];
        final ConvGn[][] b2 = new ConvGn[n][config.blocksPerStage()];
        int in = config.stemChannels();
        for (int i = 0; i < n; i++) {
            int c = config.stageChannels().get(i);
            down[i] = convGn(g, "s" + i + "/down/", "", in, c, 2);
            for (int j = 0; j < config.blocksPerStage(); j++) {
                String p = "s" + i + "/b" + j + "/";
                b1[i][j] = convGn(g, p, "1", c, c, 1);
                b2[i][j] = convGn(g, p, "2", c, c, 1);
            }
            in = c;
        }
        return images -> {
            SDVariable h = unit(sd, stem, images, true, fusions, config.inChannels() <= StemConvFusion.MAX_IN_CHANNELS,
                    true);
            // from here on every feature map is [B, H, W, C]
            for (int i = 0; i < n; i++) {
                h = unit(sd, down[i], h, true, fusions, false, false);
                for (int j = 0; j < b1[i].length; j++) {
                    SDVariable r = unit(sd, b1[i][j], h, true, fusions, false, false);
                    r = unit(sd, b2[i][j], r, false, fusions, false, false);
                    h = sd.nn.relu(r.add(h), 0);
                }
            }
            return config.poolGrid() == 1 ? sd.mean(h, 1, 2) : gridPool(sd, h, config.poolGrid());
        };
    }

    /**
     * Average pooling of the last maps {@code [B, H, W, C]} to a g×g grid, flattened cell by cell (cells row-major,
     * channels last): {@code [B, g²·C]}, cell (i, j) the mean of rows ⌊iH/g⌋ … ⌈(i+1)H/g⌉ − 1 and the same columns
     * of W — PyTorch's {@code AdaptiveAvgPool2d(g)} followed by a flatten of the NHWC cells. The bins are computed
     * from the map's shape when the graph runs (the graph's images have no fixed size), so every crop size gives
     * the same D; on maps smaller than g the cells overlap, as PyTorch's do. Why a grid: global average pooling
     * forgets where in the image a pattern is, and on small centred images (a 28-px garment's sleeves and collar)
     * that layout separates classes.
     */
    private static SDVariable gridPool(SameDiff sd, SDVariable h, int g) {
        SDVariable shape = sd.shape(h);
        SDVariable[][] rows = bins(sd, shape.get(SDIndex.interval(1, 2)), g);
        SDVariable[][] cols = bins(sd, shape.get(SDIndex.interval(2, 3)), g);
        SDVariable zero = sd.constant(Nd4j.createFromArray(0L));
        SDVariable rest = sd.constant(Nd4j.createFromArray(-1L));   // a slice size of -1: to the end of the axis
        SDVariable[] cells = new SDVariable[g * g];
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                SDVariable begin = sd.concat(0, zero, rows[0][i], cols[0][j], zero);
                SDVariable size = sd.concat(0, rest, rows[1][i], cols[1][j], rest);
                cells[i * g + j] = sd.mean(sd.slice(h, begin, size), 1, 2);
            }
        }
        return sd.concat(1, cells);
    }

    /**
     * The g adaptive bins of an axis of length n ({@code [1]}, long): starts ⌊i·n/g⌋ and lengths
     * ⌈(i+1)·n/g⌉ − ⌊i·n/g⌋, each {@code [1]} long (computed in float: exact for any realistic n, the quotients
     * being at least 1/g away from the next integer unless they are one).
     */
    private static SDVariable[][] bins(SameDiff sd, SDVariable n, int g) {
        SDVariable nf = n.castTo(DataType.FLOAT);
        SDVariable[][] b = new SDVariable[2][g];
        for (int i = 0; i < g; i++) {
            SDVariable start = sd.math.floor(nf.mul((double) i).div((double) g));
            SDVariable end = sd.math.ceil(nf.mul((double) (i + 1)).div((double) g));
            b[0][i] = start.castTo(DataType.LONG);
            b[1][i] = end.sub(start).castTo(DataType.LONG);
        }
        return b;
    }

    /**
     * conv → GroupNorm (→ ReLU) on NHWC maps, the GroupNorm part declared as one fusable region. The stem ({@code u}
     * is {@code stem}) first transposes the NCHW images to NHWC; with {@code fuseConv} (images with few channels) the
     * transpose and the convolution are declared as one region too ({@link StemConvFusion}).
     */
    private SDVariable unit(SameDiff sd, ConvGn u, SDVariable x, boolean relu, Fusions fusions, boolean fuseConv,
                            boolean stem) {
        SDVariable h;
        SDVariable in = stem ? sd.permute(x, 0, 2, 3, 1) : x;
        if (fuseConv) {
            SDVariable w = sd.identity(u.w()); // per application, as γ and β below
            h = conv(sd, w, u.stride(), in);
            fusions.add(new StemConvFusion(x.name(), w.name(), h.name()));
        } else {
            h = conv(sd, u.w(), u.stride(), in);
        }
        // per-application handles of the shared γ, β: their gradients are this region's contributions alone (summed
        // over the applications by SameDiff), which is what a fused kernel of this region computes
        SDVariable gain = sd.identity(u.gain());
        SDVariable bias = sd.identity(u.bias());
        SDVariable y = groupNorm(sd, u.groupAvg(), h, gain, bias);
        if (relu) {
            y = sd.nn.relu(y, 0);
        }
        fusions.add(new GroupNormFusion(h.name(), gain.name(), bias.name(), y.name(), config.groups(), config.gnEps(),
                relu));
        return y;
    }

    private static SDVariable conv(SameDiff sd, SDVariable w, int stride, SDVariable x) {
        Conv2DConfig cc = Conv2DConfig.builder().kH(3).kW(3).sH(stride).sW(stride)
                .paddingMode(PaddingMode.SAME).dataFormat(Conv2DConfig.NHWC).build();
        return sd.cnn.conv2d(x, w, cc);
    }

    private ConvGn convGn(GraphScope g, String prefix, String suffix, int in, int out, int stride) {
        DataType dt = g.dataType();
        SDVariable w = g.param(prefix + "conv" + suffix + "_w", Init.heNormal(g.rng(), 9L * in, dt, 3, 3, in, out), true);
        SDVariable gain = g.param(prefix + "gn" + suffix + "_gain", Init.fill(1.0, dt, 1, out, 1, 1), false);
        SDVariable bias = g.param(prefix + "gn" + suffix + "_bias", Init.fill(0.0, dt, 1, out, 1, 1), false);
        return new ConvGn(w, stride, gain, bias, groupAverager(g.sd(), out, dt));
    }

    /** Constant {@code [C, C]} matrix A with A[i][j] = 1/(C/G) when channels i, j share a group. */
    private SDVariable groupAverager(SameDiff sd, int channels, DataType dt) {
        String name = "gn_group_avg_" + channels + "_" + config.groups();
        if (sd.hasVariable(name)) {
            return sd.getVariable(name);
        }
        int cpg = channels / config.groups();
        double[][] a = new double[channels][channels];
        for (int i = 0; i < channels; i++) {
            for (int j = 0; j < channels; j++) {
                a[i][j] = (i / cpg == j / cpg) ? 1.0 / cpg : 0.0;
            }
        }
        INDArray arr = Nd4j.createFromArray(a).castTo(dt);
        return sd.constant(name, arr);
    }

    /**
     * GroupNorm (Wu &amp; He 2018, Eq. 1–2) of a conv3×3 output {@code [B, H, W, C]} (SAME, stride s, no bias):
     * y = (x−μ_g)/sqrt(σ²_g+ε)·γ_c + β_c, with the group moments μ_g = E_g[x] and σ²_g = E_g[x²] − μ_g².
     *
     * <p>Formulation (chosen for speed, see docs/performance.md): the per-channel spatial moments
     * E_{H,W}[x] and E_{H,W}[x²] {@code [B, C]} are averaged within groups by the constant {@code [C, C]}
     * matrix A (so any H, W works without a dynamic reshape); everything per-group is folded into one
     * per-(sample, channel) scale a = γ/sqrt(σ²+ε) and shift b = β − μ·a {@code [B, C]}, so the full-size
     * tensor sees only two spatial reductions (a mean and a squared norm) and one fused y = x·a + b (instead of
     * x−μ, (x−μ)², ·inv, ·γ, +β); the backward pass shrinks by the same factor. σ² is clamped at 0 (it can be a rounding error below 0).
     *
     * <p>a and b reach full size as batched outer products {@code [B, H·W, 1] × [B, 1, C]} with a ones column
     * ({@link #spread}), then multiply/add element-wise: ND4J M2.1's broadcasting {@code multiply_bp} for a
     * {@code [B, C, 1, 1]} operand took ~280 ms more than the same-shape product at B 512, 32 × 28² (its reduction over
     * H, W is a slow generic path), while the matmul's backward is BLAS products (docs/performance.md). Same values as
     * the broadcast (the product with 1 is exact).
     *
     * <p>This formulation is the definition SameDiff's session runs and differentiates; execution plans run the
     * same function as one fused kernel ({@link GroupNormFusion}), declared by {@link #unit}.
     */
    private SDVariable groupNorm(SameDiff sd, SDVariable groupAvg, SDVariable h, SDVariable gain, SDVariable bias) {
        long c = groupAvg.getShape()[0];
        SDVariable shape = sd.shape(h);
        SDVariable hw = shape.get(SDIndex.interval(1, 3)).prod(true, 0);          // [1]: H·W
        SDVariable mu = sd.mean(h, 1, 2).mmul(groupAvg);                 // [B, C] group mean per channel
        // E[x²] as a squared-norm reduction: no full-size x² in the forward, one full-size output in the backward
        SDVariable sq = new SquaredNorm(sd, h, false, 1, 2).outputVariable();
        SDVariable ex2 = sq.div(hw.castTo(h.dataType())).mmul(groupAvg); // [B, C] group E[x²]
        SDVariable var = sd.nn.relu(ex2.sub(mu.mul(mu)), 0);
        SDVariable a = sd.math.rsqrt(var.add(config.gnEps())).mul(sd.reshape(gain, 1, c));
        SDVariable b = sd.reshape(bias, 1, c).sub(mu.mul(a));
        SDVariable ones = sd.fill(sd.concat(0, shape.get(SDIndex.interval(0, 1)), hw,
                sd.constant(Nd4j.createFromArray(1L))), h.dataType(), 1.0);            // [B, H·W, 1]
        return h.mul(spread(sd, a, ones, shape, c)).add(spread(sd, b, ones, shape, c));
    }

    /**
     * {@code v [B, C]} → {@code [B, H, W, C]} (= {@code shape}), v[b, c] repeated over H×W: 1·v[b] as a batched
     * matmul.
     */
    private static SDVariable spread(SameDiff sd, SDVariable v, SDVariable ones, SDVariable shape, long c) {
        return sd.reshape(ones.mmul(sd.reshape(v, -1, 1, c)), shape);
    }

    /**
     * The {@code small-resnet} section of a configuration: the architecture without the input channels (which come
     * from the data); GroupNorm ε 1e-5 and the smallest input side 2^(number of stages), so the last stage still has
     * at least 2 pixels.
     *
     * @param stem channels of the stem convolution; &gt; 0 and divisible by {@code groups}
     * @param widths channels of the stages (each stage starts with a stride-2 convolution: the stem keeps the resolution, every stage halves it); non-empty, each
     *        &gt; 0 and divisible by {@code groups}; the feature dimension D is the last one times poolGrid²
     * @param blocksPerStage residual blocks per stage; &gt;= 0 (0 = a plain CNN)
     * @param groups GroupNorm groups; &gt; 0
     * @param poolGrid side g of the average-pooling grid over the last maps, D = g² × the last width; &gt; 0 (1, the
     *        default when the key is missing: global average pooling)
     */
    public record Options(int stem, java.util.List<Integer> widths, int blocksPerStage, int groups, Integer poolGrid) {
        /** Validates every field (messages name the field). */
        public Options {
            if (poolGrid == null) {
                poolGrid = 1;
            }
            if (poolGrid <= 0) {
                throw new IllegalArgumentException("poolGrid must be > 0, got " + poolGrid);
            }
            if (groups <= 0) {
                throw new IllegalArgumentException("groups must be > 0, got " + groups);
            }
            if (stem <= 0 || stem % groups != 0) {
                throw new IllegalArgumentException("stem must be > 0 and divisible by groups (" + groups + "), got " + stem);
            }
            if (widths == null || widths.isEmpty()) {
                throw new IllegalArgumentException("widths must not be empty, got " + widths);
            }
            for (Integer w : widths) {
                if (w == null || w <= 0 || w % groups != 0) {
                    throw new IllegalArgumentException("widths must all be > 0 and divisible by groups (" + groups
                            + "), got " + widths);
                }
            }
            widths = java.util.List.copyOf(widths);
            if (blocksPerStage < 0) {
                throw new IllegalArgumentException("blocksPerStage must be >= 0, got " + blocksPerStage);
            }
        }

        /**
         * Global average pooling ({@code poolGrid} 1).
         *
         * @param stem stem channels
         * @param widths stage channels
         * @param blocksPerStage residual blocks per stage
         * @param groups GroupNorm groups
         */
        public Options(int stem, java.util.List<Integer> widths, int blocksPerStage, int groups) {
            this(stem, widths, blocksPerStage, groups, 1);
        }

        /** @return e.g. {@code stem 16 [16, 32, 64] 0 blocks/stage 8 groups} (and {@code , 2x2 pooling grid}) */
        @Override
        public String toString() {
            return "stem " + stem + " " + widths + " " + blocksPerStage + " blocks/stage " + groups + " groups"
                    + (poolGrid == 1 ? "" : ", " + poolGrid + "x" + poolGrid + " pooling grid");
        }

        /**
         * @param inChannels image channels
         * @return the full architecture
         */
        public SmallResNetConfig toConfig(int inChannels) {
            return SmallResNetConfig.builder().inChannels(inChannels).stemChannels(stem).stageChannels(widths)
                    .blocksPerStage(blocksPerStage).groups(groups).minInputSize(1 << widths.size()).poolGrid(poolGrid)
                    .build();
        }
    }

    /**
     * Registry entry {@code small-resnet}; default options: stem 32, widths 32-64-128, one block per stage, 8 groups,
     * global average pooling.
     */
    public static final class Factory implements BackboneFactory<Options> {
        @Override
        public String name() {
            return "small-resnet";
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public Options defaultOptions() {
            return new Options(32, java.util.List.of(32, 64, 128), 1, 8);
        }

        @Override
        public Backbone create(Options options, int inChannels) {
            return new SmallResNet(options.toConfig(inChannels));
        }
    }
}
