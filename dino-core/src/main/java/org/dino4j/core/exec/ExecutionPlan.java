package org.dino4j.core.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff execution compiled into a fixed list of native op calls over arrays allocated once: what
 * {@code SameDiff.output} or {@code calculateGradients} does for one set of placeholder shapes, without the
 * session's per-op bookkeeping, shape inference, allocation (every new ND4J array is zero-filled) and release.
 *
 * <p>A plan is built by {@link PlanRecorder} from one session execution of the graph (the ops in the order the
 * session ran them, their arguments and output shapes). Each op gets its own {@link OpContext} whose input and
 * output arrays never change: placeholders are copied into plan-owned input arrays ({@link #execute}),
 * intermediates live in slabs shared by arrays whose lifetimes do not overlap ({@link BufferPlan}), parameters and
 * constants are the graph's own arrays (so in-place parameter updates are seen), and requested outputs stay
 * valid until the next execution. The ops are SameDiff's own, so a plan computes bit for bit what the session
 * computes (tested per graph).
 *
 * <p>Hooks ({@link #afterValue}) run Java code on an intermediate as soon as the op producing it has run — the
 * plan's counterpart of a SameDiff listener (the fused DINO loss writes dL/dz into a placeholder this way).
 *
 * <p>Not thread-safe; one plan per thread.
 */
public final class ExecutionPlan implements AutoCloseable {

    /** One executable entry. */
    interface Step {
        void run();

        String label();

        /** @return the label with the shape of the first output, for per-layer profiles */
        default String detail() {
            return label();
        }
    }

    private final Step[] steps;
    private final Map<String, INDArray> inputs;
    private final Map<String, INDArray> values;
    private final Map<String, List<Consumer<INDArray>>> hooks = new HashMap<>();
    private final Map<String, Integer> producerStep;
    private final List<OpContext> contexts;
    private final long plannedBytes;
    private Step[] withHooks;
    private long[] nanos;

    ExecutionPlan(List<Step> steps, Map<String, INDArray> inputs, Map<String, INDArray> values,
                  Map<String, Integer> producerStep, List<OpContext> contexts, long plannedBytes) {
        this.steps = steps.toArray(new Step[0]);
        this.inputs = inputs;
        this.values = values;
        this.producerStep = producerStep;
        this.contexts = contexts;
        this.plannedBytes = plannedBytes;
        this.withHooks = this.steps;
    }

    /**
     * Registers {@code hook} to run with the value of {@code variable} right after the op producing it (before any
     * op consuming it). The array is the plan's own: read it, do not keep it beyond the execution.
     *
     * @param variable an intermediate the plan computes
     * @param hook the callback
     */
    public void afterValue(String variable, Consumer<INDArray> hook) {
        Integer at = producerStep.get(variable);
        if (at == null) {
            throw new IllegalArgumentException("variable must be computed by the plan, got \"" + variable + "\"");
        }
        hooks.computeIfAbsent(variable, k -> new ArrayList<>()).add(hook);
        rebuild();
    }

    private void rebuild() {
        Map<Integer, List<String>> byStep = new HashMap<>();
        for (String v : hooks.keySet()) {
            byStep.computeIfAbsent(producerStep.get(v), k -> new ArrayList<>()).add(v);
        }
        List<Step> out = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            out.add(steps[i]);
            for (String v : byStep.getOrDefault(i, List.of())) {
                INDArray value = values.get(v);
                List<Consumer<INDArray>> hs = hooks.get(v);
                out.add(new Step() {
                    @Override
                    public void run() {
                        for (Consumer<INDArray> h : hs) {
                            h.accept(value);
                        }
                    }

                    @Override
                    public String label() {
                        return "hook " + v;
                    }
                });
            }
        }
        withHooks = out.toArray(new Step[0]);
        nanos = null;
    }

    /**
     * Runs the plan: copies each placeholder value into the plan's input array (shapes must equal the ones the
     * plan was built for), then executes every op.
     *
     * @param placeholders values of the graph's placeholders (all those the plan reads)
     */
    public void execute(Map<String, INDArray> placeholders) {
        for (Map.Entry<String, INDArray> e : inputs.entrySet()) {
            INDArray v = placeholders.get(e.getKey());
            if (v == null) {
                throw new IllegalArgumentException("placeholder \"" + e.getKey() + "\" has no value");
            }
            INDArray dst = e.getValue();
            if (v != dst) {
                if (!Arrays.equals(v.shape(), dst.shape())) {
                    throw new IllegalArgumentException("placeholder \"" + e.getKey() + "\" must be "
                            + Arrays.toString(dst.shape()) + " for this plan, got " + Arrays.toString(v.shape()));
                }
                dst.assign(v);
            }
        }
        run();
    }

    /** Runs every op on the current contents of the input arrays. */
    public void run() {
        Step[] s = withHooks;
        if (nanos == null) {
            for (Step step : s) {
                step.run();
            }
            return;
        }
        for (int i = 0; i < s.length; i++) {
            long t0 = System.nanoTime();
            s[i].run();
            nanos[i] += System.nanoTime() - t0;
        }
    }

    /** Starts (or resets) per-step timing of {@link #run}. */
    public void startProfiling() {
        nanos = new long[withHooks.length];
    }

    /**
     * @return accumulated nanoseconds per op label, sorted by time (descending), since {@link #startProfiling}
     */
    public Map<String, long[]> profile() {
        return profile(false);
    }

    /**
     * @param byShape key by op label and output shape (per layer) instead of op label alone
     * @return accumulated {nanoseconds, plan entries} per key, sorted by time (descending), since {@link #startProfiling}
     */
    public Map<String, long[]> profile(boolean byShape) {
        Map<String, long[]> byLabel = new HashMap<>();
        if (nanos != null) {
            for (int i = 0; i < withHooks.length; i++) {
                Step st = withHooks[i];
                long[] acc = byLabel.computeIfAbsent(byShape ? st.detail() : st.label(), k -> new long[2]);
                acc[0] += nanos[i];
                acc[1]++;
            }
        }
        Map<String, long[]> sorted = new LinkedHashMap<>();
        byLabel.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /**
     * @param variable a placeholder, an intermediate or an output of the plan
     * @return the plan's array for it (valid until the next execution for intermediates), or null
     */
    public INDArray value(String variable) {
        return values.get(variable);
    }

    /**
     * @param placeholder a placeholder the plan reads
     * @return the plan-owned input array (write into it and call {@link #run} to skip the copy of {@link #execute})
     */
    public INDArray input(String placeholder) {
        INDArray a = inputs.get(placeholder);
        if (a == null) {
            throw new IllegalArgumentException("placeholder must be read by the plan, got \"" + placeholder + "\"");
        }
        return a;
    }

    /** @return the placeholders the plan reads */
    public Collection<String> placeholders() {
        return inputs.keySet();
    }

    /** @return number of native ops per execution */
    public int opCount() {
        return steps.length;
    }

    /** @return bytes of the intermediate slabs and input arrays the plan allocated */
    public long plannedBytes() {
        return plannedBytes;
    }

    @Override
    public void close() {
        for (OpContext c : contexts) {
            try {
                c.close();
            } catch (Exception e) {
                // native context already gone
            }
        }
    }

    /** A native op with its fixed context. */
    static final class NativeStep implements Step {
        private final DifferentialFunction op;
        private final OpContext ctx;
        private final boolean custom;
        private final LegacyState state;
        private final String label;
        private final String detail;

        NativeStep(DifferentialFunction op, OpContext ctx, LegacyState state) {
            this.op = Objects.requireNonNull(op);
            this.ctx = ctx;
            this.custom = op instanceof CustomOp;
            this.state = state;
            this.label = op.opName();
            INDArray out = ctx.numOutputArguments() > 0 ? ctx.getOutputArray(0) : null;
            this.detail = label + (out == null ? "" : " " + Arrays.toString(out.shape()));
        }

        @Override
        public String detail() {
            return detail;
        }

        @Override
        public void run() {
            if (custom) {
                Nd4j.getExecutioner().exec((CustomOp) op, ctx);
            } else {
                if (state != null) {
                    state.restore();
                }
                Nd4j.getExecutioner().exec((Op) op, ctx);
            }
        }

        @Override
        public String label() {
            return label;
        }
    }

    /** A Java step. */
    static Step step(Runnable body, String label, String detail) {
        return new Step() {
            @Override
            public void run() {
                body.run();
            }

            @Override
            public String label() {
                return label;
            }

            @Override
            public String detail() {
                return detail;
            }
        };
    }
}
