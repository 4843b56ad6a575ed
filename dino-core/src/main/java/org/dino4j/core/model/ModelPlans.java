package org.dino4j.core.model;

import java.util.Map;
import java.util.Objects;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.exec.ExecutionPlan;
import org.dino4j.core.exec.SessionMemory;

/**
 * How one {@link DinoModel}'s graphs run, and what its execution plans cost ({@link DinoModel#plans()}; one per model).
 *
 * <p>An <b>execution plan</b> ({@link ExecutionPlan}) is SameDiff's ops of one graph in a fixed order on arrays
 * allocated once per input shape: recorded from one run of SameDiff's session the first time the model meets a call
 * (a forward to one output, a training step with or without local crops) with given input shapes, then replayed by
 * every later such call. A model keeps its 8 most recently used plans. Its settings:
 *
 * <ul>
 *   <li>{@link #setExecution}: {@link Execution#FUSED} (default) plans in which the backbone's declared regions (e.g.
 *       GroupNorm + ReLU) run as fused Java kernels (plain plans where the kernels do not apply: DOUBLE models, a GPU
 *       backend); {@link Execution#PLAN} plans of SameDiff's ops only (bit for bit the session's results); {@link Execution#SESSION} SameDiff's own session on every call, the reference the plans
 *       are tested against.</li>
 *   <li>{@link #setSessionMemory}: how SameDiff's sessions of the model's graphs free their arrays — every call in
 *       session mode, and the one run each plan is recorded from. Same results in every mode.</li>
 *   <li>{@link #profile}: per-op timing of the plans, read with {@link #profiles()} and
 *       {@link #profilesByShape()}.</li>
 * </ul>
 *
 * <p>{@link #plannedBytes()} and {@link #release()} measure and drop the plans' memory. {@link DinoModel#copy()}
 * copies the execution and session-memory settings. Not thread-safe (as the model).
 */
public final class ModelPlans {
    private final ModelRunner runner;
    private SessionMemory.Mode sessionMemory = SessionMemory.Mode.AUTO;

    ModelPlans(ModelRunner runner) {
        this.runner = runner;
    }

    /**
     * @param e how the model's graphs run from now on (default {@link Execution#FUSED}): plans with fused kernels,
     *          plans of SameDiff's ops, or SameDiff's session; a change drops the current plans
     */
    public void setExecution(Execution e) {
        runner.setExecution(Objects.requireNonNull(e, "execution"));
    }

    /** @return how the model's graphs run (see {@link #setExecution}) */
    public Execution execution() {
        return runner.execution();
    }

    /**
     * @param mode how SameDiff's sessions of the model's graphs free their arrays from the next execution on (default
     *             {@link SessionMemory.Mode#AUTO}: at their last use when tcmalloc is preloaded, else left to the GC);
     *             same results either way
     */
    public void setSessionMemory(SessionMemory.Mode mode) {
        this.sessionMemory = Objects.requireNonNull(mode, "mode");
    }

    /** @return how the model's sessions free their arrays (see {@link #setSessionMemory}) */
    public SessionMemory.Mode sessionMemory() {
        return sessionMemory;
    }

    /**
     * @param on true: every plan times each of its ops, the current ones from zero and those recorded later from their
     *           first run; false: plans recorded from now on are not timed (the current ones keep timing until
     *           {@link #release()})
     */
    public void profile(boolean on) {
        runner.setProfiling(on);
    }

    /**
     * Per-op times of the current plans since {@link #profile(boolean) profile(true)}, by plan: op label →
     * {total nanoseconds, number of the plan's entries with that label}, slowest first.
     *
     * @return the profiles (empty in session mode)
     */
    public Map<String, Map<String, long[]>> profiles() {
        return runner.profiles(false);
    }

    /**
     * As {@link #profiles()}, keyed by op label and output shape (one entry per layer).
     *
     * @return the profiles (empty in session mode)
     */
    public Map<String, Map<String, long[]>> profilesByShape() {
        return runner.profiles(true);
    }

    /** @return bytes allocated by the model's current plans (0 in session mode or after {@link #release()}) */
    public long plannedBytes() {
        return runner.plannedBytes();
    }

    /**
     * Drops the model's execution plans, e.g. those of the training shapes before an evaluation at other shapes; the
     * next call records its plan again (same results). Their arrays are freed when the GC collects them.
     */
    public void release() {
        runner.closePlans();
    }
}
