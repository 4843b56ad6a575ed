package org.dino4j.core.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.GradientBackwardsMarker;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds an {@link ExecutionPlan} from one session execution: attached as a SameDiff listener while the caller runs
 * {@code output} or {@code calculateGradients} once, it records every op the session executes (the op, the names
 * of its inputs and outputs, its integer/float/boolean/type arguments and its output shapes and layouts), then
 * {@link #compile} turns the record into native calls on planned arrays.
 *
 * <pre>
 *   PlanRecorder r = new PlanRecorder();
 *   ExecutionPlan plan = r.record(graph, () -&gt; graph.calculateGradients(feed, paramNames), keep);
 *   plan.execute(feed);   // bit-identical to the session call, no allocation
 * </pre>
 */
public final class PlanRecorder extends BaseListener {

    /** What one executed op looked like. */
    record Recorded(SameDiff sd, DifferentialFunction op, List<String> inputs, INDArray[] persistentInputs,
                    List<String> outputs, Spec[] outSpecs, long[] iArgs, double[] tArgs, boolean[] bArgs,
                    DataType[] dArgs, INDArray scalar, INDArray dims, int scalarInput) {
    }

    /** Shape, layout and type of an array. */
    record Spec(long[] shape, long[] strides, char order, DataType type, long length) {
        static Spec of(INDArray a) {
            return new Spec(a.shape().clone(), a.stride().clone(), a.ordering(), a.dataType(), a.length());
        }
    }

    private final List<Recorded> recorded = new ArrayList<>();
    private final Map<String, Spec> placeholderSpecs = new LinkedHashMap<>();
    private boolean active;
    private final List<String> skipped = new ArrayList<>();

    @Override
    public boolean isActive(Operation operation) {
        return active;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
        if (!active) {
            return;
        }
        DifferentialFunction df = op.getOp();
        List<String> names = op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
        int nIn = ctx == null ? 0 : ctx.numInputArguments();
        if (df instanceof Identity) {
            nIn = Math.min(1, names.size());
        }
        List<String> ins = new ArrayList<>(names.subList(0, Math.min(nIn, names.size())));
        INDArray[] persistent = new INDArray[ins.size()];
        for (int i = 0; i < ins.size(); i++) {
            SDVariable v = sd.getVariable(ins.get(i));
            VariableType t = v.getVariableType();
            if (t == VariableType.VARIABLE || t == VariableType.CONSTANT) {
                persistent[i] = ctx.getInputArray(i);
            } else if (t == VariableType.PLACEHOLDER) {
                placeholderSpecs.putIfAbsent(ins.get(i), Spec.of(ctx.getInputArray(i)));
            }
        }
        List<String> outs = op.getOutputsOfOp() == null ? List.of() : new ArrayList<>(op.getOutputsOfOp());
        Spec[] specs = new Spec[outs.size()];
        for (int i = 0; i < outs.size(); i++) {
            specs[i] = outputs[i] == null ? null : Spec.of(outputs[i]);
        }
        INDArray scalar = null;
        INDArray dims = null;
        int scalarInput = -1;
        if (!(df instanceof CustomOp) && df instanceof Op o) {
            dims = o instanceof org.nd4j.linalg.api.ops.BaseOp b ? b.dimensions() : null;
            if (o instanceof org.nd4j.linalg.api.ops.ScalarOp s) {
                scalar = s.scalar();
                if (ins.size() == 2 && op.getInputsToOp().size() == 2) {
                    scalarInput = 1;
                }
            }
        }
        recorded.add(new Recorded(sd, df, ins, persistent, outs, specs, longs(ctx == null ? null : ctx.getIArguments()),
                doubles(ctx == null ? null : ctx.getTArguments()), bools(ctx == null ? null : ctx.getBArguments()),
                ctx == null || ctx.getDArguments() == null ? new DataType[0] : ctx.getDArguments().toArray(new DataType[0]),
                scalar, dims, scalarInput));
    }

    private static long[] longs(List<Long> l) {
        return l == null ? new long[0] : l.stream().mapToLong(Long::longValue).toArray();
    }

    private static double[] doubles(List<Double> l) {
        return l == null ? new double[0] : l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static boolean[] bools(List<Boolean> l) {
        boolean[] b = new boolean[l == null ? 0 : l.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = l.get(i);
        }
        return b;
    }

    /**
     * What to build from a record.
     *
     * @param keep variables whose values must stay valid after an execution (outputs, gradients)
     * @param fusions regions to run as Java kernels
     * @param gradientOf the gradient variable of a variable (gradient records), or null for forward records
     * @param isForwardOp whether an op (by its own name) belongs to the forward pass
     * @param watched variables hooks will read ({@link ExecutionPlan#afterValue}), kept computed
     * @param sameLayout placeholder → variable whose layout ('c'/'f' order) the placeholder's plan array takes (e.g.
     *        a gradient fed back for the logits it multiplies, so the product is a same-layout one)
     * @param gradientFeeds variable → placeholder that holds dL/d(variable) when the backward pass reaches it: the
     *        plan reads the gradient from the placeholder instead of computing it, and drops the ops that only served
     *        that computation (the fused loss's Σ z ⊙ dL/dz and its backward)
     * @param outputOrders variable → 'c' or 'f': the layout of the array the variable's producing op writes, instead of
     *        the session's (a Java hook then reads rows contiguously); the op computes the same values, possibly summed
     *        in another order, so plans that must equal the session bit for bit leave it empty
     */
    public record Options(Set<String> keep, List<FusedOp> fusions, java.util.function.UnaryOperator<String> gradientOf,
                          java.util.function.Predicate<String> isForwardOp, Set<String> watched,
                          Map<String, String> sameLayout, Map<String, String> gradientFeeds,
                          Map<String, Character> outputOrders) {
        /** A forward plan keeping {@code keep}, without fusions. */
        public static Options forward(Set<String> keep) {
            return new Options(keep, List.of(), null, op -> true, Set.of(), Map.of(), Map.of(), Map.of());
        }
    }

    /**
     * Runs {@code sessionCall} once with this recorder attached to {@code graph}, then compiles what it recorded.
     *
     * @param graph the graph whose session {@code sessionCall} executes (its gradient function included)
     * @param sessionCall one execution of the graph, e.g. {@code () -> graph.calculateGradients(feed, params)}
     * @param options what to keep, fuse and watch
     * @return the plan
     */
    public ExecutionPlan record(SameDiff graph, Runnable sessionCall, Options options) {
        recorded.clear();
        placeholderSpecs.clear();
        skipped.clear();
        graph.addListeners(this);
        active = true;
        try {
            sessionCall.run();
        } finally {
            active = false;
            graph.getListeners().remove(this);
        }
        for (Map.Entry<String, Character> e : options.outputOrders().entrySet()) {
            relayout(e.getKey(), e.getValue());
        }
        Map<String, Spec> inputs = new LinkedHashMap<>(placeholderSpecs);
        for (Map.Entry<String, String> e : options.sameLayout().entrySet()) {
            Spec ph = inputs.get(e.getKey());
            Spec like = recorded.stream().filter(r -> r.outputs().contains(e.getValue()))
                    .map(r -> r.outSpecs()[r.outputs().indexOf(e.getValue())]).findFirst().orElse(null);
            if (ph != null && like != null && ph.order() != like.order()) {
                long[] strides = org.nd4j.linalg.factory.Nd4j.getStrides(ph.shape(), like.order());
                inputs.put(e.getKey(), new Spec(ph.shape(), strides, like.order(), ph.type(), ph.length()));
            }
        }
        List<FusedOp> fusions = new ArrayList<>(options.fusions());
        while (true) {
            Options o = new Options(options.keep(), fusions, options.gradientOf(), options.isForwardOp(), options.watched(),
                    options.sameLayout(), options.gradientFeeds(), options.outputOrders());
            try {
                return new PlanCompiler(new ArrayList<>(recorded), inputs).compile(o);
            } catch (PlanCompiler.Unfusable e) {
                // this region runs as SameDiff's ops (e.g. a layout the kernel does not handle)
                fusions.remove(e.op);
                skipped.add(e.getMessage());
            }
        }
    }

    /** Gives the array behind {@code variable} (and the Identity ops leading to it) layout {@code order} in the record. */
    private void relayout(String variable, char order) {
        String v = variable;
        for (int guard = 0; guard < recorded.size(); guard++) {
            String name = v;
            Recorded r = recorded.stream().filter(x -> x.outputs().contains(name)).findFirst().orElse(null);
            if (r == null) {
                return;
            }
            int i = r.outputs().indexOf(name);
            Spec s = r.outSpecs()[i];
            if (s != null && s.order() != order) {
                r.outSpecs()[i] = new Spec(s.shape(), org.nd4j.linalg.factory.Nd4j.getStrides(s.shape(), order), order,
                        s.type(), s.length());
            }
            if (!(r.op() instanceof Identity)) {
                return;
            }
            v = r.inputs().get(0);
        }
    }

    /** @return why declared regions were left to SameDiff's ops in the last {@link #record} (empty when all fused) */
    public List<String> skippedFusions() {
        return List.copyOf(skipped);
    }

    /** For tests and diagnostics: the op names of the last record, in execution order. */
    List<String> recordedOps() {
        List<String> l = new ArrayList<>();
        for (Recorded r : recorded) {
            l.add(r.op().opName() + " " + r.inputs() + " -> " + r.outputs() + " " + Arrays.toString(
                    Arrays.stream(r.outSpecs()).map(s -> s == null ? "null" : Arrays.toString(s.shape()) + s.order()).toArray()));
        }
        return l;
    }
}
