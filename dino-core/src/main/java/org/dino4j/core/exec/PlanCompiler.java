package org.dino4j.core.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.GradientBackwardsMarker;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns a {@link PlanRecorder} record into an {@link ExecutionPlan}: (1) the recorded ops become nodes; (2) each
 * declared {@link FusedOp} replaces the producers of its outputs (forward) and, in a gradient record, of its
 * inputs' gradients (backward) by one kernel node; (3) nodes whose outputs nothing needs are dropped (the fused
 * regions' own SameDiff ops fall away here); (4) arrays are planned by lifetime ({@link BufferPlan}) and every
 * native op gets a fixed {@link OpContext}.
 */
final class PlanCompiler {

    /** One executable unit before planning. */
    private static final class Node {
        final PlanRecorder.Recorded rec;
        final FusedOp fused;
        final boolean backward;
        final List<String> ins;
        final List<String> outs;
        final PlanRecorder.Spec[] specs;

        Node(PlanRecorder.Recorded rec) {
            this.rec = rec;
            this.fused = null;
            this.backward = false;
            this.ins = rec.inputs();
            this.outs = new ArrayList<>(rec.outputs());
            this.specs = rec.outSpecs();
        }

        Node(FusedOp f, boolean backward, List<String> ins, List<String> outs, PlanRecorder.Spec[] specs) {
            this.rec = null;
            this.fused = f;
            this.backward = backward;
            this.ins = ins;
            this.outs = new ArrayList<>(outs);
            this.specs = specs;
        }

        String label() {
            return fused != null ? (backward ? "fused bp " : "fused ") + fused.getClass().getSimpleName()
                    : rec.op().opName();
        }
    }

    private final List<PlanRecorder.Recorded> recorded;
    private final Map<String, PlanRecorder.Spec> placeholderSpecs;
    /** Parameters and constants the record read, by name. */
    private final Map<String, INDArray> persistent = new HashMap<>();

    PlanCompiler(List<PlanRecorder.Recorded> recorded, Map<String, PlanRecorder.Spec> placeholderSpecs) {
        this.recorded = recorded;
        this.placeholderSpecs = placeholderSpecs;
        for (PlanRecorder.Recorded r : recorded) {
            for (int j = 0; j < r.inputs().size(); j++) {
                if (r.persistentInputs()[j] != null) {
                    persistent.putIfAbsent(r.inputs().get(j), r.persistentInputs()[j]);
                }
            }
        }
    }

    /** Compiles the record with {@code o}'s outputs, fusions, gradient feeds and watched variables. */
    ExecutionPlan compile(PlanRecorder.Options o) {
        Set<String> keep = o.keep();
        List<Node> nodes = new ArrayList<>();
        for (PlanRecorder.Recorded r : recorded) {
            nodes.add(new Node(r));
        }
        for (FusedOp f : o.fusions()) {
            fuse(nodes, f, o.gradientOf(), o.isForwardOp());
        }
        for (Map.Entry<String, String> e : o.gradientFeeds().entrySet()) {
            feed(nodes, o.gradientOf().apply(e.getKey()), e.getValue());
        }
        Set<String> needed = new HashSet<>(keep);
        needed.addAll(o.watched());
        nodes = live(nodes, needed);
        for (String k : keep) {
            if (nodes.stream().noneMatch(n -> n.outs.contains(k))) {
                throw new IllegalArgumentException("variable \"" + k + "\" to keep is not computed by the recorded execution");
            }
        }
        return plan(nodes, keep);
    }

    private static int producer(List<Node> nodes, String v) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).outs.contains(v)) {
                return i;
            }
        }
        return -1;
    }

    /** Replaces {@code f}'s region by kernel nodes (see the class comment). */
    private void fuse(List<Node> nodes, FusedOp f, UnaryOperator<String> gradientOf, Predicate<String> isForwardOp) {
        List<String> outs = f.outputs();
        int at = Integer.MAX_VALUE;
        PlanRecorder.Spec[] specs = new PlanRecorder.Spec[outs.size()];
        for (int j = 0; j < outs.size(); j++) {
            int p = producer(nodes, outs.get(j));
            if (p < 0) {
                return; // region not executed by this record (e.g. a branch the call does not need)
            }
            Node n = nodes.get(p);
            specs[j] = n.specs[n.outs.indexOf(outs.get(j))];
            at = Math.min(at, p);
        }
        PlanRecorder.Spec likeInput = f.outputsLikeFirstInput() ? specOf(nodes, f.inputs().get(0)) : null;
        if (likeInput != null) {
            for (int j = 0; j < specs.length; j++) {
                if (Arrays.equals(specs[j].shape(), likeInput.shape())) {
                    specs[j] = likeInput;
                }
            }
        }
        checkRegionInputs(nodes, f, isForwardOp);
        for (String o : outs) {
            retire(nodes, o);
        }
        nodes.add(at, new Node(f, false, f.inputs(), outs, specs));
        if (gradientOf == null) {
            return;
        }
        List<String> dOut = new ArrayList<>();
        for (String o : outs) {
            String d = gradientOf.apply(o);
            if (d == null || producer(nodes, d) < 0) {
                return; // no backward pass through this region
            }
            dOut.add(d);
        }
        List<String> dIn = new ArrayList<>();
        List<PlanRecorder.Spec> dSpecs = new ArrayList<>();
        int bAt = Integer.MAX_VALUE;
        for (String in : f.inputs()) {
            String d = gradientOf.apply(in);
            int p = d == null ? -1 : producer(nodes, d);
            if (p < 0) {
                dIn.add(null);
                dSpecs.add(null);
                continue;
            }
            Node n = nodes.get(p);
            dIn.add(d);
            dSpecs.add(n.specs[n.outs.indexOf(d)]);
            bAt = Math.min(bAt, p);
        }
        if (bAt == Integer.MAX_VALUE) {
            return;
        }
        for (String d : dOut) {
            if (producer(nodes, d) >= bAt) {
                throw new IllegalStateException("fused region " + outs + ": its output gradient " + d
                        + " is computed after its input gradients");
            }
        }
        for (String d : dIn) {
            if (d != null) {
                retire(nodes, d);
            }
        }
        // the kernel reads the region's forward arrays too: listed so they stay alive until it has run
        List<String> bIns = new ArrayList<>(dOut);
        bIns.addAll(f.inputs());
        bIns.addAll(outs);
        List<String> bOuts = new ArrayList<>();
        List<PlanRecorder.Spec> bSpecs = new ArrayList<>();
        for (int j = 0; j < dIn.size(); j++) {
            bOuts.add(dIn.get(j) == null ? "~unused~" + f.inputs().get(j) + "~" + System.identityHashCode(f) : dIn.get(j));
            bSpecs.add(dSpecs.get(j));
        }
        nodes.add(bAt, new Node(f, true, bIns, bOuts, bSpecs.toArray(new PlanRecorder.Spec[0])));
    }

    /** The gradient variable {@code grad} becomes the placeholder {@code source}'s array: its producer is retired. */
    private void feed(List<Node> nodes, String grad, String source) {
        int p = grad == null ? -1 : producer(nodes, grad);
        if (p < 0 || !placeholderSpecs.containsKey(source)) {
            throw new IllegalArgumentException("gradient feed: \"" + grad + "\" is not computed by the record or \""
                    + source + "\" is no placeholder it reads");
        }
        retire(nodes, grad);
        nodes.add(p, new Node(new PlanRecorder.Recorded(null, new Identity(), List.of(source), new INDArray[1],
                List.of(grad), new PlanRecorder.Spec[] {placeholderSpecs.get(source)}, new long[0], new double[0],
                new boolean[0], new DataType[0], null, null, -1)));
    }

    /** Shape and layout of a variable: its producer's output, a placeholder or a parameter/constant. */
    private PlanRecorder.Spec specOf(List<Node> nodes, String v) {
        int p = producer(nodes, v);
        if (p >= 0) {
            Node n = nodes.get(p);
            return n.specs[n.outs.indexOf(v)];
        }
        if (placeholderSpecs.containsKey(v)) {
            return placeholderSpecs.get(v);
        }
        INDArray a = persistent.get(v);
        return a == null ? null : PlanRecorder.Spec.of(a);
    }

    /** Renames the recorded producer's output {@code v} so the value only the kernel now writes. */
    private static void retire(List<Node> nodes, String v) {
        int p = producer(nodes, v);
        Node n = nodes.get(p);
        n.outs.set(n.outs.indexOf(v), "~retired~" + v);
    }

    /** Every forward op reading a region input must lie inside the region (between the inputs and the outputs). */
    private static void checkRegionInputs(List<Node> nodes, FusedOp f, Predicate<String> isForwardOp) {
        Set<String> inside = new HashSet<>(f.outputs());
        Set<String> stop = new HashSet<>(f.inputs());
        Set<Node> region = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Node n : nodes) {
                if (n.rec == null || region.contains(n) || !isForwardOp.test(n.rec.op().getOwnName())) {
                    continue;
                }
                if (n.outs.stream().anyMatch(inside::contains)) {
                    region.add(n);
                    for (String in : n.ins) {
                        if (!stop.contains(in)) {
                            inside.add(in);
                        }
                    }
                    grew = true;
                }
            }
        }
        for (Node n : nodes) {
            if (n.rec == null || region.contains(n) || !isForwardOp.test(n.rec.op().getOwnName())) {
                continue;
            }
            for (String in : n.ins) {
                if (stop.contains(in)) {
                    throw new IllegalStateException("fused region " + f.outputs() + ": its input " + in
                            + " is also read by " + n.rec.op().opName() + " (" + n.rec.op().getOwnName() + ") outside it");
                }
            }
        }
    }

    /** The nodes some needed variable depends on, in order. */
    private static List<Node> live(List<Node> nodes, Set<String> needed) {
        boolean[] keepNode = new boolean[nodes.size()];
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outs.stream().anyMatch(needed::contains)) {
                keepNode[i] = true;
                needed.addAll(n.ins);
            }
        }
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (keepNode[i]) {
                out.add(nodes.get(i));
            }
        }
        return out;
    }

    private ExecutionPlan plan(List<Node> nodes, Set<String> keep) {
        Map<String, String> alias = new HashMap<>();
        for (Node n : nodes) {
            if (n.rec != null && n.rec.op() instanceof Identity) {
                alias.put(n.outs.get(0), base(alias, n.ins.get(0)));
            }
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            for (String in : n.ins) {
                lastUse.put(base(alias, in), i);
            }
            if (n.rec == null || !(n.rec.op() instanceof Identity)) {
                for (String out : n.outs) {
                    lastUse.merge(out, i, Math::max);
                }
            }
        }
        Set<String> kept = new HashSet<>();
        for (String k : keep) {
            kept.add(base(alias, k));
        }
        Set<String> read = new HashSet<>(keep);
        for (Node n : nodes) {
            read.addAll(n.ins);
        }
        BufferPlan buffers = new BufferPlan();
        Map<String, INDArray> values = new HashMap<>();
        Map<String, INDArray> inputs = new LinkedHashMap<>();
        for (Map.Entry<String, PlanRecorder.Spec> e : placeholderSpecs.entrySet()) {
            PlanRecorder.Spec s = e.getValue();
            INDArray a = Nd4j.create(s.type(), s.shape(), s.strides(), s.order());
            inputs.put(e.getKey(), a);
            values.put(e.getKey(), a);
        }
        List<ExecutionPlan.Step> steps = new ArrayList<>();
        List<OpContext> contexts = new ArrayList<>();
        Map<String, Integer> producerStep = new HashMap<>();
        Map<FusedOp, FusedOp.Instance> bound = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            DifferentialFunction df = n.rec == null ? null : n.rec.op();
            if (df instanceof Identity) {
                values.put(n.outs.get(0), resolve(values, n, 0));
                producerStep.put(n.outs.get(0), steps.size() - 1);
                continue;
            }
            if (df instanceof GradientBackwardsMarker) {
                values.put(n.outs.get(0), Nd4j.scalar(DataType.FLOAT, 1.0f));
                producerStep.put(n.outs.get(0), steps.size() - 1);
                continue;
            }
            if (df != null && (df instanceof ExternalErrorsFunction || !(df instanceof CustomOp || df instanceof Op))) {
                throw new UnsupportedOperationException("execution plans do not support op "
                        + df.getClass().getSimpleName() + " (" + df.getOwnName() + ")");
            }
            INDArray[] in = new INDArray[n.ins.size()];
            for (int j = 0; j < in.length; j++) {
                in[j] = resolve(values, n, j);
            }
            INDArray[] out = new INDArray[n.outs.size()];
            for (int j = 0; j < out.length; j++) {
                PlanRecorder.Spec s = n.specs[j];
                String name = n.outs.get(j);
                if (s == null || (n.fused != null && n.backward && !read.contains(name))) {
                    continue; // a gradient the fused kernel need not compute
                }
                out[j] = kept.contains(name) ? BufferPlan.own(s) : buffers.take(s);
                values.put(name, out[j]);
                producerStep.put(name, steps.size());
            }
            if (n.fused != null) {
                steps.add(fusedStep(n, in, out, bound));
            } else {
                OpContext ctx = Nd4j.getExecutioner().buildContext();
                contexts.add(ctx);
                ctx.setInputArrays(in);
                ctx.setOutputArrays(out);
                PlanRecorder.Recorded r = n.rec;
                if (df instanceof CustomOp) {
                    ctx.setIArguments(r.iArgs());
                    ctx.setTArguments(r.tArgs());
                    ctx.setBArguments(r.bArgs());
                    if (r.dArgs().length > 0) {
                        ctx.setDArguments(r.dArgs());
                    }
                }
                LegacyState state = df instanceof CustomOp ? null
                        : new LegacyState(df, r.dims(), r.scalarInput() >= 0 ? in[r.scalarInput()] : r.scalar());
                steps.add(new ExecutionPlan.NativeStep(df, ctx, state));
            }
            for (String nm : n.ins) {
                String b = base(alias, nm);
                if (lastUse.getOrDefault(b, -1) == i && !kept.contains(b) && !inputs.containsKey(b)) {
                    buffers.release(values.get(b));
                }
            }
            for (int j = 0; j < out.length; j++) {
                String nm = n.outs.get(j);
                if (out[j] != null && lastUse.getOrDefault(nm, -1) == i && !kept.contains(nm)) {
                    buffers.release(out[j]);
                }
            }
        }
        long bytes = buffers.bytes();
        for (INDArray a : inputs.values()) {
            bytes += a.length() * a.dataType().width();
        }
        return new ExecutionPlan(steps, inputs, values, producerStep, contexts, bytes);
    }

    private static ExecutionPlan.Step fusedStep(Node n, INDArray[] in, INDArray[] out,
                                                Map<FusedOp, FusedOp.Instance> bound) {
        try {
            return bindFused(n, in, out, bound);
        } catch (UnsupportedOperationException e) {
            throw new Unfusable(n.fused, e);
        }
    }

    private static ExecutionPlan.Step bindFused(Node n, INDArray[] in, INDArray[] out,
                                                Map<FusedOp, FusedOp.Instance> bound) {
        String label = n.label();
        INDArray first = Arrays.stream(out).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        String detail = label + (first == null ? "" : " " + Arrays.toString(first.shape()));
        if (!n.backward) {
            FusedOp.Instance inst = n.fused.bind(in, out);
            bound.put(n.fused, inst);
            return ExecutionPlan.step(inst::forward, label, detail);
        }
        FusedOp.Instance inst = bound.get(n.fused);
        if (inst == null) {
            throw new IllegalStateException("fused region " + n.fused.outputs() + ": backward without forward");
        }
        INDArray[] dOut = Arrays.copyOf(in, n.fused.outputs().size());
        return ExecutionPlan.step(inst.backward(dOut, out.clone()), label, detail);
    }

    /** A declared region whose kernel cannot run on the plan's arrays; the plan is compiled again without it. */
    static final class Unfusable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient FusedOp op;

        Unfusable(FusedOp op, UnsupportedOperationException cause) {
            super("fused region " + op.outputs() + ": " + cause.getMessage(), cause);
            this.op = op;
        }
    }

    private static String base(Map<String, String> alias, String name) {
        String b = name;
        while (alias.containsKey(b)) {
            b = alias.get(b);
        }
        return b;
    }

    private INDArray resolve(Map<String, INDArray> values, Node n, int j) {
        if (n.rec != null && n.rec.persistentInputs()[j] != null) {
            return n.rec.persistentInputs()[j];
        }
        INDArray v = values.containsKey(n.ins.get(j)) ? values.get(n.ins.get(j)) : persistent.get(n.ins.get(j));
        if (v == null) {
            throw new IllegalStateException(n.label() + " reads \"" + n.ins.get(j)
                    + "\", which no earlier op produced and which is no placeholder, variable or constant");
        }
        return v;
    }
}
