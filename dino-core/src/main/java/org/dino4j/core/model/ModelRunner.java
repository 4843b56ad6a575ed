package org.dino4j.core.model;

import static org.dino4j.core.model.GraphNames.STUDENT_LOGITS;
import static org.dino4j.core.model.GraphNames.STUDENT_LOGITS_GRAD;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.exec.ExecutionPlan;
import org.dino4j.core.exec.FusedOp;
import org.dino4j.core.exec.PlanRecorder;
import org.dino4j.core.exec.SessionMemory;
import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.util.HostArrays;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Executes a {@link DinoModel}'s graphs: by {@link ExecutionPlan}s (default; one per graph variant and input shape,
 * recorded from SameDiff's session on first use, least recently used evicted beyond {@link #MAX_PLANS}) or by
 * SameDiff's session ({@link Execution#SESSION}, the reference). Runs the fused training loss: as soon as the graph has
 * produced the student logits z_s, {@link DinoLoss#lossAndGradient} computes L and dL/dz_s from them and the teacher's
 * logits, into the {@link DinoModel#STUDENT_LOGITS_GRAD} placeholder the backward pass starts from — a plan hook, or a
 * SameDiff listener in session mode.
 *
 * <p>Not thread-safe (as the model).
 */
final class ModelRunner {
    /** Plans kept per model (graph variants × input shapes: training, teacher, evaluation batches). */
    static final int MAX_PLANS = 8;

    private final DinoModel model;
    private final EnumMap<DinoGraphs.Variant, DinoGraphs.Graph> graphs = new EnumMap<>(DinoGraphs.Variant.class);
    private final LinkedHashMap<String, ExecutionPlan> plans = new LinkedHashMap<>(16, 0.75f, true);
    private Execution execution = Execution.FUSED;
    private boolean profiling;
    // the fused loss's inputs and result for the current call
    private DinoLoss dinoLoss;
    private INDArray teacherLogits;
    private double loss;
    private boolean lossComputed;
    // session mode only: the dL/dz array, in the logits' layout seen last
    private INDArray sessionLogitGrad;
    private final LogitGradListener listener = new LogitGradListener();

    ModelRunner(DinoModel model, DinoGraphs.Graph reference) {
        this.model = model;
        graphs.put(DinoGraphs.Variant.REFERENCE, reference);
    }

    Execution execution() {
        return execution;
    }

    void setExecution(Execution e) {
        if (e != execution) {
            execution = e;
            closePlans();
        }
    }

    /** The graph of a variant, built on first use with its parameters bound to the model's flat buffer. */
    DinoGraphs.Graph graph(DinoGraphs.Variant v) {
        DinoGraphs.Graph g = graphs.get(v);
        if (g == null) {
            g = DinoGraphs.build(model.backbone(), model.headConfig(), model.dataType(), v, new java.util.Random(0), true);
            model.flat().bind(g.sd());
            if (v.fusedLoss) {
                g.sd().addListeners(listener);
            }
            graphs.put(v, g);
        }
        return g;
    }

    // ------------------------------------------------------------------------------------------ forward

    /**
     * One output of the reference graph. The array belongs to the runner (plan) or to the session: valid until the
     * next call, to be copied by callers that keep it.
     */
    INDArray forward(Map<String, INDArray> ph, String output) {
        SameDiff g = graph(DinoGraphs.Variant.REFERENCE).sd();
        if (execution == Execution.SESSION) {
            SessionMemory.install(g, model.plans().sessionMemory());
            return g.output(ph, output).get(output);
        }
        String key = "forward " + output + shapes(ph);
        ExecutionPlan plan = plans.get(key);
        if (plan == null) {
            SessionMemory.install(g, model.plans().sessionMemory());
            // fused plans hand outputs over row-major (the teacher-target and k-NN kernels read rows)
            Map<String, Character> orders = execution == Execution.FUSED ? Map.of(output, 'c') : Map.of();
            PlanRecorder.Options o = new PlanRecorder.Options(Set.of(output), fusions(DinoGraphs.Variant.REFERENCE), null,
                    op -> true, Set.of(), Map.of(), Map.of(), orders);
            plan = new PlanRecorder().record(g, () -> g.output(ph, output), o);
            SessionMemory.releaseExecution(g);
            add(key, plan);
        }
        plan.execute(ph);
        return plan.value(output);
    }

    // ------------------------------------------------------------------------------------------ gradients

    /**
     * The fused training loss ({@code lossFn} of the student logits and {@code zt}) and dL/dθ (into the model's
     * gradient buffer) for the student's crops in {@code ph}.
     */
    double fusedLossAndGradients(Map<String, INDArray> ph, boolean withLocal, long rows, INDArray zt, DinoLoss lossFn) {
        DinoGraphs.Variant v = DinoGraphs.Variant.fused(withLocal);
        dinoLoss = lossFn;
        teacherLogits = zt;
        lossComputed = false;
        try {
            if (execution == Execution.SESSION) {
                char order = sessionLogitGrad == null ? 'c' : sessionLogitGrad.ordering();
                if (sessionLogitGrad == null || sessionLogitGrad.size(0) != rows) {
                    sessionLogitGrad = Nd4j.create(model.dataType(), new long[] {rows, model.headConfig().outDim()}, order);
                }
                ph.put(STUDENT_LOGITS_GRAD, sessionLogitGrad);
                sessionGradients(v, ph, List.of());
            } else {
                String key = v + shapes(ph);
                ExecutionPlan plan = plans.get(key);
                if (plan == null) {
                    ph.put(STUDENT_LOGITS_GRAD, Nd4j.create(model.dataType(), rows, model.headConfig().outDim()));
                    // fused plans write the logits row-major, so the loss kernel reads rows without transposing them
                    Map<String, Character> orders = execution == Execution.FUSED ? Map.of(STUDENT_LOGITS, 'c') : Map.of();
                    plan = recordGradients(v, ph, List.of(), Set.of(STUDENT_LOGITS), Map.of(STUDENT_LOGITS_GRAD, STUDENT_LOGITS),
                            Map.of(STUDENT_LOGITS, STUDENT_LOGITS_GRAD), orders);
                    final ExecutionPlan p = plan;
                    plan.afterValue(STUDENT_LOGITS, z -> computeLoss(z, p.input(STUDENT_LOGITS_GRAD)));
                    add(key, plan);
                }
                ph.put(STUDENT_LOGITS_GRAD, plan.input(STUDENT_LOGITS_GRAD));
                plan.execute(ph);
                copyGradients(plan, v);
            }
        } finally {
            dinoLoss = null;
            teacherLogits = null;
        }
        if (!lossComputed) {
            throw new IllegalStateException("the fused loss never saw " + STUDENT_LOGITS + "; train with the in-graph loss (DinoModel.setFusedLoss(false))");
        }
        return loss;
    }

    private void computeLoss(INDArray z, INDArray dz) {
        loss = dinoLoss.lossAndGradient(teacherLogits, z, dz);
        lossComputed = true;
    }

    /**
     * Gradients of a loss graph ({@link DinoModel#LOSS}) into the model's gradient buffer; returns the requested outputs
     * (owned by the runner or the session: valid until the next call).
     */
    Map<String, INDArray> gradients(DinoGraphs.Variant v, Map<String, INDArray> ph, List<String> outputs) {
        if (execution == Execution.SESSION) {
            return sessionGradients(v, ph, outputs);
        }
        String key = v + shapes(ph);
        ExecutionPlan plan = plans.get(key);
        if (plan == null) {
            plan = recordGradients(v, ph, outputs, Set.of(), Map.of(), Map.of(), Map.of());
            add(key, plan);
        }
        plan.execute(ph);
        copyGradients(plan, v);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String o : outputs) {
            out.put(o, plan.value(o));
        }
        return out;
    }

    private Map<String, INDArray> sessionGradients(DinoGraphs.Variant v, Map<String, INDArray> ph, List<String> outputs) {
        SameDiff g = graph(v).sd();
        SessionMemory.install(g, model.plans().sessionMemory());
        Map<String, INDArray> out = new LinkedHashMap<>();
        List<String> names = model.flat().names;
        if (outputs.isEmpty()) {
            copyGradients(g.calculateGradients(ph, names));
        } else {
            OutAndGrad r = g.calculateGradientsAndOutputs(ph, outputs, names);
            copyGradients(r.getGradients());
            for (String o : outputs) {
                out.put(o, r.getOutputs().get(o).dup('c'));
            }
        }
        SessionMemory.releaseExecution(g);
        return out;
    }

    private ExecutionPlan recordGradients(DinoGraphs.Variant v, Map<String, INDArray> ph, List<String> outputs,
                                          Set<String> watched, Map<String, String> sameLayout,
                                          Map<String, String> gradientFeeds, Map<String, Character> outputOrders) {
        SameDiff g = graph(v).sd();
        SessionMemory.install(g, model.plans().sessionMemory());
        List<String> names = model.flat().names;
        Set<String> keep = new HashSet<>(outputs);
        for (String n : names) {
            keep.add(gradientName(g, n));
        }
        PlanRecorder.Options o = new PlanRecorder.Options(keep, fusions(v), n -> gradientName(g, n),
                op -> g.getOps().containsKey(op), watched, sameLayout, gradientFeeds, outputOrders);
        boolean armed = listener.armed;
        listener.armed = false; // the recording only needs shapes; the plan computes the loss itself
        try {
            return new PlanRecorder().record(g, () -> {
                if (outputs.isEmpty()) {
                    g.calculateGradients(ph, names);
                } else {
                    g.calculateGradientsAndOutputs(ph, outputs, names);
                }
            }, o);
        } finally {
            listener.armed = armed;
            SessionMemory.releaseExecution(g);
        }
    }

    private static String gradientName(SameDiff g, String variable) {
        SDVariable v = g.hasVariable(variable) ? g.getVariable(variable) : null;
        SDVariable gr;
        try {
            gr = v == null ? null : v.getGradient();
        } catch (RuntimeException e) {
            gr = null;
        }
        return gr == null ? null : gr.name();
    }

    private List<FusedOp> fusions(DinoGraphs.Variant v) {
        boolean fuse = execution == Execution.FUSED && model.dataType() == DataType.FLOAT && HostArrays.hostKernels();
        return fuse ? graph(v).fusions() : List.of();
    }

    private void copyGradients(ExecutionPlan plan, DinoGraphs.Variant v) {
        SameDiff g = graph(v).sd();
        List<ParamInfo> infos = model.parameters();
        for (int i = 0; i < infos.size(); i++) {
            String gn = gradientName(g, infos.get(i).name());
            INDArray gi = gn == null ? null : plan.value(gn);
            if (gi == null) {
                model.flat().gradient(i).assign(0);
            } else {
                model.flat().gradient(i).assign(gi);
            }
        }
    }

    private void copyGradients(Map<String, INDArray> grads) {
        List<ParamInfo> infos = model.parameters();
        for (int i = 0; i < infos.size(); i++) {
            INDArray gi = grads.get(infos.get(i).name());
            if (gi == null) {
                model.flat().gradient(i).assign(0);
            } else {
                model.flat().gradient(i).assign(gi.ordering() == 'c' ? gi : gi.dup('c'));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ plans

    private void add(String key, ExecutionPlan plan) {
        if (profiling) {
            plan.startProfiling();
        }
        plans.put(key, plan);
        while (plans.size() > MAX_PLANS) {
            String eldest = plans.keySet().iterator().next();
            plans.remove(eldest).close();
        }
    }

    void closePlans() {
        for (ExecutionPlan p : plans.values()) {
            p.close();
        }
        plans.clear();
    }

    void setProfiling(boolean on) {
        profiling = on;
        for (ExecutionPlan p : plans.values()) {
            if (on) {
                p.startProfiling();
            }
        }
    }

    /** Per-op profiles of the current plans, by plan key (see {@link ExecutionPlan#profile}). */
    Map<String, Map<String, long[]>> profiles(boolean byShape) {
        Map<String, Map<String, long[]>> m = new TreeMap<>();
        plans.forEach((k, p) -> m.put(k, p.profile(byShape)));
        return m;
    }

    /** Bytes the current plans allocated. */
    long plannedBytes() {
        return plans.values().stream().mapToLong(ExecutionPlan::plannedBytes).sum();
    }

    private static String shapes(Map<String, INDArray> ph) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(ph).forEach((k, a) -> sb.append(' ').append(k).append(Arrays.toString(a.shape())).append(a.dataType()));
        return sb.toString();
    }

    /**
     * Session mode: when the op producing {@link DinoModel#STUDENT_LOGITS} has run, writes L and dL/dz into the
     * placeholder array. SameDiff calls listeners synchronously after each op, before any consumer of its output runs,
     * and reads placeholder arrays in place, so the backward pass sees the filled array.
     */
    private final class LogitGradListener extends BaseListener {
        private boolean armed = true;

        @Override
        public boolean isActive(Operation operation) {
            return armed && dinoLoss != null && !lossComputed;
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                                INDArray[] outputs) {
            List<String> outs = op.getOutputsOfOp();
            int i = outs == null ? -1 : outs.indexOf(STUDENT_LOGITS);
            if (i < 0 || lossComputed || dinoLoss == null) {
                return;
            }
            INDArray z = outputs[i];
            if (z.ordering() != sessionLogitGrad.ordering()) {
                // keep dL/dz in the logits' layout from the next call on (z ⊙ dL/dz then is a same-layout product)
                INDArray next = Nd4j.create(sessionLogitGrad.dataType(), sessionLogitGrad.shape(), z.ordering());
                computeLoss(z, sessionLogitGrad);
                sessionLogitGrad = next;
                return;
            }
            computeLoss(z, sessionLogitGrad);
        }
    }
}
