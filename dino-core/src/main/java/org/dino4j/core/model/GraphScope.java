package org.dino4j.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.dino4j.core.exec.Fusions;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a component of a {@link DinoModel} (its {@link Backbone}, its {@link DinoHead}) defines its part of the SameDiff
 * graph: the graph, the component's name scope, the parameters' data type and the seeded source of every initial
 * value — and the declarations the model acts on without knowing the component:
 * <ul>
 *   <li>{@link #param}: a trainable parameter and whether it takes weight decay (DINO's {@code get_params_groups}
 *       decays weight matrices and convolution kernels, not biases or normalisation gains and shifts: the component
 *       says which is which when it creates them);</li>
 *   <li>{@link #stepInput}: a placeholder the component fills itself on every call — per-sample values for the rows of
 *       one of its inputs, drawn from the training call's seeded {@link Random} or, outside training, fixed (e.g. the
 *       ViT's drop-path factors);</li>
 *   <li>{@link #fusions()}: regions of the graph an execution plan may run as fused kernels.</li>
 * </ul>
 * A scope is used while one graph is built; the model reads its declarations afterwards.
 */
public final class GraphScope {

    /** Values of a {@link #stepInput} for one call. */
    @FunctionalInterface
    public interface StepInput {
        /**
         * @param rows     rows of the input the placeholder belongs to (the batch of that call)
         * @param training the training call's seeded source, or null outside training (evaluation, the teacher)
         * @param dataType the graph's floating-point type
         * @return the placeholder's value for this call
         */
        INDArray values(long rows, Random training, DataType dataType);
    }

    /** A declared step input: placeholder name, the placeholder whose rows it follows, and its values. */
    record Step(String name, String input, StepInput values) {
    }

    private final SameDiff sd;
    private final String scope;
    private final DataType dataType;
    private final Random rng;
    private final Fusions fusions;
    private final Map<String, Boolean> decay;
    private final List<Step> steps;

    private GraphScope(SameDiff sd, String scope, DataType dataType, Random rng, Fusions fusions, Map<String, Boolean> decay,
                       List<Step> steps) {
        this.sd = Objects.requireNonNull(sd, "sd");
        this.scope = Objects.requireNonNull(scope, "scope");
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, got " + dataType);
        }
        this.dataType = dataType;
        this.rng = Objects.requireNonNull(rng, "rng");
        this.fusions = Objects.requireNonNull(fusions, "fusions");
        this.decay = decay;
        this.steps = steps;
    }

    /**
     * A scope over a graph, for a component used on its own (tests, exported graphs): no fusions collected.
     *
     * @param sd       the graph
     * @param scope    name prefix of every variable the component creates (e.g. {@code "backbone"})
     * @param dataType FLOAT or DOUBLE
     * @param rng      seeded source of every initial value
     * @return the scope
     */
    public static GraphScope of(SameDiff sd, String scope, DataType dataType, Random rng) {
        return new GraphScope(sd, scope, dataType, rng, Fusions.NONE, new LinkedHashMap<>(), new ArrayList<>());
    }

    /** As {@link #of}, collecting fusable regions into {@code fusions}. */
    static GraphScope of(SameDiff sd, String scope, DataType dataType, Random rng, Fusions fusions) {
        return new GraphScope(sd, scope, dataType, rng, fusions, new LinkedHashMap<>(), new ArrayList<>());
    }

    /**
     * @param child name of the sub-scope
     * @return a scope {@code scope/child} over the same graph, whose declarations are this scope's
     */
    public GraphScope child(String child) {
        return new GraphScope(sd, name(child), dataType, rng, fusions, decay, steps);
    }

    /** A scope of another name over the same graph, sharing this scope's declarations (the model's head beside its backbone). */
    GraphScope sibling(String otherScope) {
        return new GraphScope(sd, otherScope, dataType, rng, fusions, decay, steps);
    }

    /** @return the graph */
    public SameDiff sd() {
        return sd;
    }

    /** @return this scope's name prefix */
    public String scope() {
        return scope;
    }

    /** @return the parameters' floating-point type */
    public DataType dataType() {
        return dataType;
    }

    /** @return the seeded source of every initial value (use it in a fixed order: same seed, same parameters) */
    public Random rng() {
        return rng;
    }

    /** @return the collector of fusable regions */
    public Fusions fusions() {
        return fusions;
    }

    /**
     * @param local a name inside this scope
     * @return {@code scope/local}
     */
    public String name(String local) {
        return scope + "/" + local;
    }

    /**
     * Creates a trainable parameter {@code scope/local}.
     *
     * @param local       name inside this scope
     * @param init        initial value (drawn from {@link #rng()} or constant; see {@link Init})
     * @param weightDecay whether the optimizer's weight decay applies to it
     * @return the VARIABLE
     */
    public SDVariable param(String local, INDArray init, boolean weightDecay) {
        String n = name(local);
        if (decay.containsKey(n)) {
            throw new IllegalArgumentException("parameter " + n + " is already defined");
        }
        decay.put(n, weightDecay);
        return sd.var(n, init);
    }

    /**
     * Declares a placeholder {@code scope/local} of shape {@code [rows of input, columns]} the component fills itself
     * on every call of the model.
     *
     * @param local   name inside this scope
     * @param input   a placeholder of the model (e.g. the images an {@code apply} received) whose rows this one follows
     * @param columns the placeholder's second dimension
     * @param values  its values per call
     * @return the placeholder
     */
    public SDVariable stepInput(String local, SDVariable input, long columns, StepInput values) {
        String n = name(local);
        steps.add(new Step(n, input.name(), Objects.requireNonNull(values, "values")));
        return sd.placeHolder(n, dataType, -1, columns);
    }

    /** @return parameter name → weight decay, in creation order */
    Map<String, Boolean> weightDecay() {
        return Collections.unmodifiableMap(decay);
    }

    /** @return the step inputs, in declaration order */
    List<Step> stepInputs() {
        return Collections.unmodifiableList(steps);
    }
}
