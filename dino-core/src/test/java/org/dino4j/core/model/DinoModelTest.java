package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.exec.ReleasingMemoryMgr;
import org.dino4j.core.exec.SessionMemory;
import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.loss.Float64Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DinoModelTest {
    static final SmallResNetConfig TINY = SmallResNetConfig.tiny(1);
    static final DinoHeadConfig HEAD = DinoHeadConfig.builder().hiddenDim(16).bottleneckDim(8).outDim(10).build();

    static DinoModel tiny(DataType dt, long seed) {
        return DinoModel.create(new SmallResNet(TINY), HEAD, dt, seed);
    }

    static INDArray images(Random rng, DataType dt, int b, int c, int h, int w) {
        double[] v = new double[b * c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble();
        }
        return Nd4j.createFromArray(v).castTo(dt).reshape('c', b, c, h, w);
    }

    /** A DINO loss for K logits (τ_s 0.1, 1 kernel thread) at τ_t 0.07. */
    static DinoLoss loss(int k) {
        DinoLoss l = new DinoLoss(DinoLoss.Options.dino(k));
        l.setTeacherTemp(0.07);
        return l;
    }

    /** Teacher logits {@code [rows, k]}, normal with standard deviation 2. */
    static INDArray teacher(Random rng, DataType dt, int rows, int k) {
        return Float64Reference.randomLogits(rng, rows, k, 2.0, dt);
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void featureShapesForGlobalAndLocalSizes() {
        DinoModel m = tiny(DataType.FLOAT, 1);
        Random r = new Random(2);
        for (int s : new int[] {28, 12, 16, 13}) {
            INDArray f = m.features(images(r, DataType.FLOAT, 3, 1, s, s));
            assertArrayEquals(new long[] {3, TINY.featureDim()}, f.shape(), "size " + s);
        }
        DinoModel big = DinoModel.create(new SmallResNet(SmallResNetConfig.small28(3)),
                DinoHeadConfig.builder().hiddenDim(32).bottleneckDim(16).outDim(20).build(), 3);
        for (int s : new int[] {28, 12, 16}) {
            assertArrayEquals(new long[] {2, 128}, big.features(images(r, DataType.FLOAT, 2, 3, s, s)).shape());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.features(images(r, DataType.FLOAT, 1, 1, 3, 12)));
        assertTrue(e.getMessage().contains("minInputSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.features(images(r, DataType.FLOAT, 1, 2, 12, 12)));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
    }

    @Test
    void forwardMatchesFloat64ReferenceEvenAfterLossCalls() {
        DinoModel m = tiny(DataType.FLOAT, 5);
        Random r = new Random(6);
        INDArray g = images(r, DataType.FLOAT, 4, 1, 12, 12);
        INDArray l = images(r, DataType.FLOAT, 4, 1, 6, 6);
        // the trap sequence: loss output first, then matmul outputs; repeated twice
        for (int rep = 0; rep < 2; rep++) {
            m.lossAndGradients(g, l, teacher(r, DataType.FLOAT, 4, 10), loss(10), null);
            INDArray feats = m.features(g);
            INDArray emb = m.globalEmbedding(g);
            INDArray logits = m.globalLogits(g);
            INDArray student = m.studentLogits(g, l);
            for (int b = 0; b < 4; b++) {
                double[] f = Ref.plainFeatures(m, TINY, Ref.image(g, b));
                double[][] h = Ref.head(m, f);
                double[][] hl = Ref.head(m, Ref.plainFeatures(m, TINY, Ref.image(l, b)));
                for (int i = 0; i < f.length; i++) {
                    assertEquals(f[i], feats.getDouble(b, i), 1e-4, "feature " + b + "," + i);
                }
                double n = 0;
                for (int i = 0; i < h[0].length; i++) {
                    assertEquals(h[0][i], emb.getDouble(b, i), 1e-4, "embedding");
                    n += emb.getDouble(b, i) * emb.getDouble(b, i);
                }
                assertEquals(1.0, n, 1e-5, "embedding is l2-normalised");
                for (int k = 0; k < 10; k++) {
                    assertEquals(h[1][k], logits.getDouble(b, k), 1e-4, "logit");
                    assertEquals(h[1][k], student.getDouble(b, k), 1e-4, "student global logit");
                    assertEquals(hl[1][k], student.getDouble(4 + b, k), 1e-4, "student local logit");
                }
            }
            // ND4J math on the outputs (would be wrong with a mislabelled 'f' output)
            assertEquals(0.0, maxAbsDiff(logits.mul(2.0).sub(logits), logits), 1e-6);
            assertEquals('c', logits.ordering());
        }
        Class<?> expected = m.plans().sessionMemory().resolved() == SessionMemory.Mode.RELEASE ? ReleasingMemoryMgr.class
                : org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr.class;
        assertEquals(expected, SessionMemory.manager(m.graph(), false).getClass(), "array cache disabled");
        assertEquals(expected, SessionMemory.manager(m.trainingGraph(true), true).getClass(), "array cache disabled (grad)");
    }

    /**
     * ND4J M2.1's InferenceSession remembers the id of every array it ever released (a set it never clears); SessionMemory
     * empties it before each execution. Without that the set grows with every step (here by the same count each
     * step), and every System.gc() of a long run walks it.
     */
    @Test
    void sessionsForgetReleasedArrayIdsBetweenSteps() {
        for (SessionMemory.Mode mode : SessionMemory.Mode.values()) {
            DinoModel m = tiny(DataType.FLOAT, 31);
            m.plans().setSessionMemory(mode);
            m.plans().setExecution(Execution.SESSION);
            SameDiff trainingGraph = m.trainingGraph(true);
            Random r = new Random(32);
            int[] held = new int[6];
            for (int step = 0; step < held.length; step++) {
                INDArray g = images(r, DataType.FLOAT, 4, 1, 12, 12);
                INDArray l = images(r, DataType.FLOAT, 4, 1, 6, 6);
                m.lossAndGradients(g, l, teacher(r, DataType.FLOAT, 4, 10), loss(10), null);
                held[step] = SessionMemory.freedIdsHeld(trainingGraph, true);
            }
            assertTrue(held[0] > 0, mode + ": the session released arrays in a step (the set is in use): " + java.util.Arrays.toString(held));
            for (int step = 1; step < held.length; step++) {
                assertTrue(held[step] <= held[0], mode + ": ids held after each step stay at one step's worth, got "
                        + java.util.Arrays.toString(held));
            }
        }
    }

    @Test
    void sessionMemoryIsChosenPerModelAndKeptByCopies() {
        DinoModel released = tiny(DataType.FLOAT, 41);
        assertEquals(SessionMemory.Mode.AUTO, released.plans().sessionMemory(), "default");
        released.plans().setSessionMemory(SessionMemory.Mode.RELEASE);
        DinoModel collected = released.copy();
        assertEquals(SessionMemory.Mode.RELEASE, collected.plans().sessionMemory(), "copy() keeps the mode");
        collected.plans().setSessionMemory(SessionMemory.Mode.GC);
        assertEquals(SessionMemory.Mode.RELEASE, released.plans().sessionMemory(), "models do not share the mode");
        // both models' sessions on this thread, each with its own manager
        assertTrue(SessionMemory.manager(released.graph(), false) instanceof ReleasingMemoryMgr);
        assertTrue(SessionMemory.manager(collected.graph(), false)
                instanceof org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr);
        assertThrows(NullPointerException.class, () -> released.plans().setSessionMemory(null));
    }

    @Test
    void releasingMemoryManagerFreesIntermediatesAndGivesBitIdenticalTrainingToLeavingThemToTheGc() {
        // Same model, same data, 4 steps of loss + gradients + SGD, once with intermediates freed at their last use
        // (ReleasingMemoryMgr, the default) and once left to the GC (NoOpMemoryMgr): every loss, every gradient
        // and every parameter must agree bit for bit, with and without local crops.
        double[][] runs = new double[2][];
        float[][] params = new float[2][];
        for (int mode = 0; mode < 2; mode++) {
            DinoModel m = tiny(DataType.FLOAT, 21);
            m.plans().setSessionMemory(mode == 0 ? SessionMemory.Mode.RELEASE : SessionMemory.Mode.GC);
            m.plans().setExecution(Execution.SESSION);
            Random r = new Random(22);
            java.util.List<Double> trace = new java.util.ArrayList<>();
            for (int step = 0; step < 4; step++) {
                boolean withLocal = step % 2 == 0;
                INDArray g = images(r, DataType.FLOAT, 4, 1, 12, 12);
                INDArray l = withLocal ? images(r, DataType.FLOAT, 4, 1, 6, 6) : null;
                trace.add(m.lossAndGradients(g, l, teacher(r, DataType.FLOAT, 4, 10), loss(10), null));
                for (float v : m.gradients().reshape(m.gradients().length()).toFloatVector()) {
                    trace.add((double) v);
                }
                m.params().subi(m.gradients().mul(0.5));
                INDArray logits = m.studentLogits(g, l);
                for (float v : logits.reshape(logits.length()).toFloatVector()) {
                    trace.add((double) v);
                }
            }
            if (mode == 0) {
                assertTrue(SessionMemory.manager(m.graph(), false) instanceof ReleasingMemoryMgr);
                ReleasingMemoryMgr mm = (ReleasingMemoryMgr) SessionMemory.manager(m.trainingGraph(true), true);
                assertTrue(mm.releasedCount() > 0, "intermediates of the backward pass were freed: "
                        + mm.releasedCount() + " of " + mm.allocatedCount());
            } else {
                assertTrue(SessionMemory.manager(m.trainingGraph(true), true)
                        instanceof org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr);
            }
            runs[mode] = trace.stream().mapToDouble(Double::doubleValue).toArray();
            params[mode] = m.params().reshape(m.params().length()).toFloatVector();
        }
        assertArrayEquals(runs[1], runs[0], 0.0, "losses, gradients, logits");
        assertArrayEquals(params[1], params[0], 0f, "parameters after 4 SGD steps");
    }

    @Test
    void weightNormColumnsHaveUnitNormAndGIsFixed() {
        DinoModel m = tiny(DataType.DOUBLE, 7);
        String v = GraphNames.HEAD_SCOPE + "/" + DinoHead.LAST_LAYER + "/weight_v";
        assertFalse(m.parameters().stream().anyMatch(p -> p.name().endsWith("weight_g")));
        // scale v's columns: logits must not change (W = v/||v|| per column, g = 1)
        Random r = new Random(8);
        INDArray g = images(r, DataType.DOUBLE, 2, 1, 12, 12);
        INDArray before = m.globalLogits(g);
        INDArray emb = m.globalEmbedding(g);
        INDArray vArr = m.graph().getArrForVarName(v);
        vArr.muliRowVector(Nd4j.linspace(1, 5, 10, DataType.DOUBLE));
        INDArray after = m.globalLogits(g);
        assertEquals(0.0, maxAbsDiff(before, after), 1e-12);
        // |logit| <= ||emb|| * ||W col|| = 1, and logit = emb · v_col/||v_col|| computed here
        INDArray w = vArr.div(vArr.norm2(0).reshape(1, 10));
        for (int c = 0; c < 10; c++) {
            assertEquals(1.0, w.getColumn(c).norm2Number().doubleValue(), 1e-12);
        }
        assertEquals(0.0, maxAbsDiff(emb.mmul(w), after), 1e-12);

        DinoModel trainableG = DinoModel.create(new SmallResNet(TINY), DinoHeadConfig.builder().hiddenDim(16).bottleneckDim(8).outDim(10).normLastLayer(false).build(),
                DataType.DOUBLE, 7);
        ParamInfo gInfo = trainableG.parameters().stream().filter(p -> p.name().endsWith("weight_g")).findFirst()
                .orElseThrow();
        assertTrue(gInfo.lastLayer());
        assertFalse(gInfo.weightDecay());
        INDArray l0 = trainableG.globalLogits(g);
        trainableG.graph().getArrForVarName(gInfo.name()).muli(3.0);
        assertEquals(0.0, maxAbsDiff(l0.mul(3.0), trainableG.globalLogits(g)), 1e-10);
    }

    @Test
    void everyParameterIsAViewOfTheFlatBuffer() {
        DinoModel m = tiny(DataType.FLOAT, 9);
        long p = 0;
        SameDiff sd = m.graph();
        for (ParamInfo pi : m.parameters()) {
            assertEquals(p, pi.offset(), "contiguous " + pi.name());
            p += pi.length();
            INDArray arr = sd.getArrForVarName(pi.name());
            assertArrayEquals(pi.shape(), arr.shape());
            // flat → graph
            m.params().putScalar(0, pi.offset() + pi.length() - 1, 1234.5f);
            assertEquals(1234.5, arr.getDouble(pi.length() - 1), 0, pi.name());
            // graph → flat
            arr.putScalar(0, -42.0);
            assertEquals(-42.0, m.params().getDouble(0, pi.offset()), 0, pi.name());
        }
        assertEquals(p, m.params().length());
        assertEquals(p, m.gradients().length());
        assertSame(m.params(), m.params());
    }

    @Test
    void inPlaceUpdateOfParamsIsSeenByNextForwardAndCopyIsIndependent() {
        DinoModel student = tiny(DataType.FLOAT, 11);
        DinoModel teacher = student.copy();
        Random r = new Random(12);
        INDArray g = images(r, DataType.FLOAT, 4, 1, 12, 12);
        INDArray l = images(r, DataType.FLOAT, 4, 1, 8, 8);
        assertEquals(0.0, maxAbsDiff(student.params(), teacher.params()), 0);
        assertEquals(0.0, maxAbsDiff(student.studentLogits(g, l), teacher.studentLogits(g, l)), 0);

        INDArray s0 = student.globalLogits(g);
        // optimizer-like in-place step on the student: θ ← θ − 0.5·sign(∇) on every parameter
        student.lossAndGradients(g, l, teacher(r, DataType.FLOAT, 4, 10), loss(10), null);
        student.params().subi(Nd4j.math.sign(student.gradients()).muli(0.05));
        INDArray s1 = student.globalLogits(g);
        assertTrue(maxAbsDiff(s0, s1) > 1e-3, "student output changed");
        assertEquals(0.0, maxAbsDiff(teacher.globalLogits(g), s0), 0, "teacher unchanged by student update");
        // the updated student must equal a fresh copy of its flat params (graph sees the in-place update)
        assertEquals(0.0, maxAbsDiff(student.copy().globalLogits(g), s1), 0);
        // changing the teacher does not change the student
        teacher.params().muli(0.5);
        assertEquals(0.0, maxAbsDiff(student.globalLogits(g), s1), 0);
        assertTrue(maxAbsDiff(teacher.globalLogits(g), s0) > 1e-4);
    }

    /** The student's step returns DINO's loss of its own logits against the teacher's, as the float64 pair loop. */
    @Test
    void lossEqualsTheFloat64DinoLoss() {
        DinoModel m = tiny(DataType.FLOAT, 13);
        Random r = new Random(14);
        INDArray g = images(r, DataType.FLOAT, 4, 1, 12, 12);
        INDArray l = images(r, DataType.FLOAT, 6, 1, 6, 6);
        INDArray zt = teacher(r, DataType.FLOAT, 4, 10);
        DinoLoss loss = loss(10);
        loss.center().assign(teacher(r, DataType.FLOAT, 1, 10).muli(0.2));
        double[] c = Float64Reference.rows(loss.center())[0];
        double got = m.lossAndGradients(g, l, zt, loss, null);
        double ref = Float64Reference.loss(Float64Reference.rows(m.studentLogits(g, l)), Float64Reference.rows(zt), c, 0.1, 0.07);
        assertEquals(ref, got, 1e-4 * Math.abs(ref));
        // without local crops
        double got2 = m.lossAndGradients(g, null, zt, loss, null);
        double ref2 = Float64Reference.loss(Float64Reference.rows(m.globalLogits(g)), Float64Reference.rows(zt), c, 0.1, 0.07);
        assertEquals(ref2, got2, 1e-4 * Math.abs(ref2));
        assertArrayEquals(new long[] {10, 10}, m.studentLogits(g, l).shape());
        assertEquals(0.0, maxAbsDiff(m.studentLogits(g, null), m.globalLogits(g)), 0);
    }

    /**
     * The fused training loss (DinoLoss's kernels outside the graph, back-propagated from dL/dz through a filled
     * placeholder) against the cross-entropy differentiated inside SameDiff with DinoLoss's targets: in DOUBLE the loss and
     * every gradient agree to rounding, with and without local crops, over several calls (the reused dL/dz buffer);
     * in FLOAT to float precision.
     */
    @Test
    void fusedLossEqualsTheInGraphLossAndGradients() {
        DinoLoss loss = loss(10);
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            DinoModel m = tiny(dt, 21);
            assertTrue(m.fusedLoss(), "fused is the default");
            assertTrue(m.trainingGraph(true).hasVariable(GraphNames.STUDENT_LOGITS_GRAD), "the fused graph trains");
            assertTrue(m.trainingGraph(false).hasVariable(GraphNames.STUDENT_LOGITS_GRAD));
            m.setFusedLoss(false);
            assertSame(m.graph(), m.trainingGraph(true), "graph mode trains the reference graph");
            assertFalse(m.trainingGraph(false).hasVariable(GraphNames.STUDENT_LOGITS_GRAD));
            Random r = new Random(22);
            for (int call = 0; call < 4; call++) {
                boolean withLocal = call % 2 == 0;
                INDArray g = images(r, dt, 4, 1, 12, 12);
                INDArray l = withLocal ? images(r, dt, 4, 1, 6, 6) : null;
                INDArray zt = teacher(r, dt, 4, 10);
                m.setFusedLoss(false);
                double lossGraph = m.lossAndGradients(g, l, zt, loss, null);
                INDArray gradGraph = m.gradients().dup();
                m.setFusedLoss(true);
                double lossFused = m.lossAndGradients(g, l, zt, loss, null);
                INDArray gradFused = m.gradients().dup();
                double tol = dt == DataType.DOUBLE ? 1e-12 : 2e-5;
                String at = dt + " call " + call + (withLocal ? " with" : " without") + " local crops";
                assertEquals(lossGraph, lossFused, tol * Math.abs(lossGraph), at);
                double scale = gradGraph.amaxNumber().doubleValue();
                assertTrue(scale > 0, at);
                assertTrue(maxAbsDiff(gradGraph, gradFused) <= tol * scale * 10, at + ": max |Δg| "
                        + maxAbsDiff(gradGraph, gradFused) + " of max |g| " + scale);
                m.params().subi(gradFused.mul(1e-3 / scale)); // move, so later calls see other logits
            }
        }
    }

    /**
     * Central differences of the graph's loss (forward only) vs the flat gradient buffer written by
     * lossAndGradients, in DOUBLE (the model's gradient check): one random element of every parameter tensor
     * (with local crops) and one of six random tensors (without). SameDiff's own GradCheckUtil (M2.1) throws a
     * NullPointerException on graphs with intermediate (ARRAY) variables, so the check is written here.
     */
    @Test
    void flatGradientsMatchFiniteDifferences() {
        flatGradientsMatchFiniteDifferences(tiny(DataType.DOUBLE, 15));
        // a 2×2 pooling grid: 3×3 global and 2×2 local maps, overlapping bins (D = 4 × 8)
        flatGradientsMatchFiniteDifferences(DinoModel.create(new SmallResNet(TINY.toBuilder().poolGrid(2).build()), HEAD,
                DataType.DOUBLE, 15));
    }

    private static void flatGradientsMatchFiniteDifferences(DinoModel m) {
        Random r = new Random(16);
        INDArray g = images(r, DataType.DOUBLE, 4, 1, 12, 12);
        INDArray l = images(r, DataType.DOUBLE, 4, 1, 6, 6);
        for (boolean withLocal : new boolean[] {true, false}) {
            double tau = 0.5;
            DinoLoss loss = new DinoLoss(new DinoLoss.Options(10, tau, 0.9, 1));
            loss.setTeacherTemp(0.3);
            INDArray zt = teacher(r, DataType.DOUBLE, 4, 10);
            m.lossAndGradients(g, withLocal ? l : null, zt, loss, null);
            INDArray grad = m.gradients().dup();
            DinoLoss.Targets targets = loss.targets(zt, withLocal ? 2 : 0);
            INDArray t = targets.targets();
            INDArray w = targets.rowWeights();
            assertTrue(grad.norm2Number().doubleValue() > 0);
            Map<String, INDArray> ph = new java.util.HashMap<>(Map.of(GraphNames.GLOBAL_CROPS, g,
                    GraphNames.TARGETS, t, GraphNames.ROW_WEIGHTS, w, GraphNames.TAU_S, Nd4j.scalar(tau)));
            java.util.List<ParamInfo> ps = new java.util.ArrayList<>(m.parameters());
            if (withLocal) {
                ph.put(GraphNames.LOCAL_CROPS, l);
            } else {
                java.util.Collections.shuffle(ps, r);
                ps = ps.subList(0, 6);
            }
            for (ParamInfo pi : ps) {
              for (int rep = 0; rep < 1; rep++) {
                long idx = pi.offset() + r.nextInt((int) pi.length());
                double x0 = m.params().getDouble(0, idx);
                double h = 1e-6;
                m.params().putScalar(0, idx, x0 + h);
                double up = loss(m, ph, withLocal);
                m.params().putScalar(0, idx, x0 - h);
                double down = loss(m, ph, withLocal);
                m.params().putScalar(0, idx, x0);
                double fd = (up - down) / (2 * h);
                double an = grad.getDouble(0, idx);
                assertEquals(fd, an, 1e-6 + 1e-3 * Math.abs(fd), pi.name() + "[" + (idx - pi.offset()) + "]");
              }
            }
        }
    }

    private static double loss(DinoModel m, Map<String, INDArray> ph, boolean withLocal) {
        if (withLocal) {
            return m.graph().output(ph, GraphNames.LOSS).get(GraphNames.LOSS).getDouble(0);
        }
        // without local crops: the reference float64 loss on the model's own global logits
        return Ref.loss(m.globalLogits(ph.get(GraphNames.GLOBAL_CROPS)), ph.get(GraphNames.TARGETS),
                ph.get(GraphNames.ROW_WEIGHTS), ph.get(GraphNames.TAU_S).getDouble(0));
    }

    @Test
    void parameterMetadata() {
        DinoModel m = tiny(DataType.FLOAT, 19);
        for (ParamInfo pi : m.parameters()) {
            String n = pi.name();
            boolean matrix = n.endsWith("conv_w") || n.endsWith("_w") || n.endsWith("weight_v");
            assertEquals(matrix, pi.weightDecay(), n);
            assertEquals(n.contains("/last_layer/"), pi.lastLayer(), n);
        }
        assertEquals(1, m.parameters().stream().filter(ParamInfo::lastLayer).count());
        assertTrue(m.parameters().stream().anyMatch(p -> p.name().equals("head/mlp0_b") && !p.weightDecay()));
        assertTrue(m.parameters().stream().anyMatch(p -> p.name().equals("backbone/stem/gn_gain") && !p.weightDecay()));
    }

    @Test
    void sameSeedSameParamsDifferentSeedDifferent() {
        assertEquals(0.0, maxAbsDiff(tiny(DataType.FLOAT, 21).params(), tiny(DataType.FLOAT, 21).params()), 0);
        assertTrue(maxAbsDiff(tiny(DataType.FLOAT, 21).params(), tiny(DataType.FLOAT, 22).params()) > 1e-3);
    }

    @Test
    void saveLoadAndBackboneExport(@TempDir Path dir) throws Exception {
        DinoModel m = tiny(DataType.FLOAT, 23);
        m.params().addi(0.01); // not the seed's values
        Random r = new Random(24);
        INDArray g = images(r, DataType.FLOAT, 3, 1, 12, 12);
        Path f = dir.resolve("m.bin");
        m.save(f);
        DinoModel back = DinoModel.load(f);
        assertEquals(m.backbone(), back.backbone());
        assertEquals(m.headConfig(), back.headConfig());
        assertEquals(0.0, maxAbsDiff(m.params(), back.params()), 0);
        assertEquals(0.0, maxAbsDiff(m.globalLogits(g), back.globalLogits(g)), 0);

        Path bb = dir.resolve("backbone.sd");
        m.exportBackbone(bb);
        SameDiff sd = SameDiff.load(bb.toFile(), false);
        INDArray fx = sd.output(Map.of(GraphNames.IMAGES, g), GraphNames.FEATURES).get(GraphNames.FEATURES);
        assertEquals(0.0, maxAbsDiff(fx, m.features(g)), 1e-6);

        java.nio.file.Files.writeString(dir.resolve("bad.bin"), "nope");
        assertThrows(java.io.IOException.class, () -> DinoModel.load(dir.resolve("bad.bin")));
    }

    @Test
    void lossArgumentsAreValidated() {
        DinoModel m = tiny(DataType.FLOAT, 25);
        Random r = new Random(26);
        INDArray g = images(r, DataType.FLOAT, 2, 1, 8, 8);
        INDArray zt = teacher(r, DataType.FLOAT, 2, 10);
        DinoLoss loss = loss(10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.lossAndGradients(g, null, teacher(r, DataType.FLOAT, 3, 10), loss, null));
        assertTrue(e.getMessage().startsWith("teacherLogits must be [2, 10]"), e.getMessage());
        INDArray g4 = images(r, DataType.FLOAT, 4, 1, 8, 8);
        INDArray zt4 = teacher(r, DataType.FLOAT, 4, 10);
        e = assertThrows(IllegalArgumentException.class,
                () -> m.lossAndGradients(g4, images(r, DataType.FLOAT, 3, 1, 8, 8), zt4, loss, null));
        assertTrue(e.getMessage().startsWith("locals must hold N views of B = 2 images"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.lossAndGradients(images(r, DataType.FLOAT, 3, 1, 8, 8), null, zt, loss, null));
        assertTrue(e.getMessage().contains("2B rows"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> m.lossAndGradients(g, null, zt, new DinoLoss(DinoLoss.Options.dino(10)), null));
        assertTrue(s.getMessage().contains("setTeacherTemp"), s.getMessage());
        assertNotEquals(0.0, m.lossAndGradients(g, null, zt, loss, null));
    }
}
