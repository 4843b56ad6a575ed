package org.dino4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ND4J's 3×3 stride-2 convolution ({@code conv2d}, SAME padding, no bias; weights {@code [3, 3, C_in, C_out]}) and its
 * backward pass ({@code conv2d_bp}: dL/dx and dL/dW from a fixed dL/dy) on channels-first ({@code NCHW}, input
 * {@code [B, C_in, H, W]}) against channels-last ({@code NHWC}, {@code [B, H, W, C_in]}) arrays: the data layout a
 * backbone would choose. The cases are the {@code peer} network's stride-2 layers at the side-by-side batch (B 256:
 * 512 global 28² crops, 1,536 local 12² crops), each op called directly on arrays allocated once per trial.
 * Input, weights and dL/dy are seeded uniform in [−1, 1); both layouts hold the same numbers (the NHWC arrays are the
 * NCHW ones permuted), so they compute the same convolution (checked by the unit test against a float64 loop).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@State(Scope.Benchmark)
public class ConvLayoutBenchmark {

    /** Layer and crop: {@code batch x C_in -> C_out at side²}. */
    @Param({"512x32-64@28", "512x64-128@14", "1536x32-64@12", "1536x64-128@6"})
    public String layer;
    /** {@code NCHW} or {@code NHWC}. */
    @Param({"NCHW", "NHWC"})
    public String layout;
    /** ND4J (OpenMP) threads. */
    @Param({"2"})
    public int threads;

    private INDArray x;
    private INDArray w;
    private INDArray y;
    private DynamicCustomOp forward;
    private DynamicCustomOp backward;
    private INDArray gradInput;
    private INDArray gradWeights;

    /** Parses {@link #layer}, builds the seeded arrays and both ops; prints the environment. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchEnv.setUp("ConvLayoutBenchmark " + layer + " " + layout, threads);
        String[] bc = layer.split("x", 2);
        String[] io = bc[1].split("@", 2);
        String[] ch = io[0].split("-", 2);
        int b = Integer.parseInt(bc[0]);
        int cin = Integer.parseInt(ch[0]);
        int cout = Integer.parseInt(ch[1]);
        int side = Integer.parseInt(io[1]);
        int out = (side + 1) / 2;
        boolean nhwc = switch (layout) {
            case "NCHW" -> false;
            case "NHWC" -> true;
            default -> throw new IllegalArgumentException("layout must be NCHW or NHWC, got " + layout);
        };
        INDArray xNchw = BenchEnv.uniform(new SplittableRandom(31), 1.0, b, cin, side, side);
        x = nhwc ? xNchw.permute(0, 2, 3, 1).dup('c') : xNchw;
        w = BenchEnv.uniform(new SplittableRandom(32), 1.0, 3, 3, cin, cout);
        y = nhwc ? Nd4j.create(x.dataType(), b, out, out, cout) : Nd4j.create(x.dataType(), b, cout, out, out);
        INDArray gradNchw = BenchEnv.uniform(new SplittableRandom(33), 1.0, b, cout, out, out);
        INDArray gradOutput = nhwc ? gradNchw.permute(0, 2, 3, 1).dup('c') : gradNchw;
        gradInput = x.ulike();
        gradWeights = w.ulike();
        // kH, kW, sH, sW, pH, pW, dH, dW, SAME padding, data format (0 NCHW, 1 NHWC), weight format 0 = [kH, kW, iC, oC]
        int[] args = {3, 3, 2, 2, 0, 0, 1, 1, 1, nhwc ? 1 : 0, 0};
        forward = DynamicCustomOp.builder("conv2d").addInputs(x, w).addOutputs(y).addIntegerArguments(args).build();
        backward = DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, gradOutput).addOutputs(gradInput, gradWeights)
                .addIntegerArguments(args).build();
    }

    /** The convolution's forward pass, into the planned output. */
    @Benchmark
    public INDArray forward() {
        Nd4j.exec(forward);
        return y;
    }

    /** The backward pass: dL/dx and dL/dW for the fixed dL/dy. */
    @Benchmark
    public INDArray backward() {
        Nd4j.exec(backward);
        return gradWeights;
    }

    /** @return the layer's input in this trial's layout */
    INDArray input() {
        return x;
    }

    /** @return the output of the last {@link #forward()} in this trial's layout */
    INDArray output() {
        return y;
    }

    /** @return dL/dx of the last {@link #backward()} in this trial's layout */
    INDArray gradInput() {
        return gradInput;
    }

    /** @return dL/dW of the last {@link #backward()} */
    INDArray gradWeights() {
        return gradWeights;
    }

    /** @return the weights {@code [3, 3, C_in, C_out]} */
    INDArray weights() {
        return w;
    }
}
