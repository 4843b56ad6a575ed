package org.dino4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Both layouts of {@link ConvLayoutBenchmark} compute the same 3×3 stride-2 SAME convolution: forward output, dL/dx and
 * dL/dW checked against a float64 loop over the NCHW numbers, at an odd and an even input side (SAME padding differs).
 */
class ConvLayoutBenchmarkTest {

    private static final int B = 3;
    private static final int CIN = 4;
    private static final int COUT = 5;

    private static ConvLayoutBenchmark run(int side, String layout) {
        ConvLayoutBenchmark bench = new ConvLayoutBenchmark();
        bench.layer = B + "x" + CIN + "-" + COUT + "@" + side;
        bench.layout = layout;
        bench.threads = 1;
        bench.setUp();
        bench.forward();
        bench.backward();
        return bench;
    }

    /** NCHW view of an array in the benchmark's layout. */
    private static INDArray nchw(INDArray a, String layout) {
        return layout.equals("NHWC") ? a.permute(0, 3, 1, 2) : a;
    }

    private static void check(int side, String layout) {
        ConvLayoutBenchmark bench = run(side, layout);
        INDArray x = nchw(bench.input(), layout);
        INDArray w = bench.weights();
        int out = (side + 1) / 2;
        INDArray g = BenchEnv.uniform(new SplittableRandom(33), 1.0, B, COUT, out, out);
        int padTop = Math.max((out - 1) * 2 + 3 - side, 0) / 2;
        double[][][][] y = new double[B][COUT][out][out];
        double[][][][] dx = new double[B][CIN][side][side];
        double[][][][] dw = new double[3][3][CIN][COUT];
        for (int b = 0; b < B; b++) {
            for (int co = 0; co < COUT; co++) {
                for (int oh = 0; oh < out; oh++) {
                    for (int ow = 0; ow < out; ow++) {
                        double go = g.getDouble(b, co, oh, ow);
                        for (int kh = 0; kh < 3; kh++) {
                            for (int kw = 0; kw < 3; kw++) {
                                int ih = oh * 2 + kh - padTop;
                                int iw = ow * 2 + kw - padTop;
                                if (ih < 0 || iw < 0 || ih >= side || iw >= side) {
                                    continue;
                                }
                                for (int ci = 0; ci < CIN; ci++) {
                                    double xv = x.getDouble(b, ci, ih, iw);
                                    double wv = w.getDouble(kh, kw, ci, co);
                                    y[b][co][oh][ow] += xv * wv;
                                    dx[b][ci][ih][iw] += go * wv;
                                    dw[kh][kw][ci][co] += go * xv;
                                }
                            }
                        }
                    }
                }
            }
        }
        INDArray gotY = nchw(bench.output(), layout);
        INDArray gotDx = nchw(bench.gradInput(), layout);
        String where = layout + " side " + side;
        for (int b = 0; b < B; b++) {
            for (int co = 0; co < COUT; co++) {
                for (int oh = 0; oh < out; oh++) {
                    for (int ow = 0; ow < out; ow++) {
                        assertEquals(y[b][co][oh][ow], gotY.getDouble(b, co, oh, ow), 1e-4, where + " y");
                    }
                }
            }
            for (int ci = 0; ci < CIN; ci++) {
                for (int ih = 0; ih < side; ih++) {
                    for (int iw = 0; iw < side; iw++) {
                        assertEquals(dx[b][ci][ih][iw], gotDx.getDouble(b, ci, ih, iw), 1e-4, where + " dL/dx");
                    }
                }
            }
        }
        for (int kh = 0; kh < 3; kh++) {
            for (int kw = 0; kw < 3; kw++) {
                for (int ci = 0; ci < CIN; ci++) {
                    for (int co = 0; co < COUT; co++) {
                        assertEquals(dw[kh][kw][ci][co], bench.gradWeights().getDouble(kh, kw, ci, co), 1e-4,
                                where + " dL/dW");
                    }
                }
            }
        }
    }

    @Test
    void channelsFirstMatchesFloat64Loop() {
        check(7, "NCHW");
        check(8, "NCHW");
    }

    @Test
    void channelsLastMatchesFloat64Loop() {
        check(7, "NHWC");
        check(8, "NHWC");
    }

    @Test
    void unknownLayoutIsRejected() {
        ConvLayoutBenchmark bench = new ConvLayoutBenchmark();
        bench.layer = "2x3-4@5";
        bench.layout = "CHWN";
        bench.threads = 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bench::setUp);
        assertEquals("layout must be NCHW or NHWC, got CHWN", e.getMessage());
    }
}
