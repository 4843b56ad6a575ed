/**
 * <b>Internal</b> except {@link org.dino4j.core.exec.Execution} and {@link org.dino4j.core.exec.SessionMemory.Mode} (the
 * choices a user makes per model with {@link org.dino4j.core.model.ModelPlans#setExecution} and
 * {@link org.dino4j.core.model.ModelPlans#setSessionMemory}): how dino-core runs SameDiff graphs — execution plans recorded
 * from SameDiff's session ({@link org.dino4j.core.exec.PlanRecorder}, {@link org.dino4j.core.exec.ExecutionPlan}),
 * the fused kernels that replace regions of them ({@link org.dino4j.core.exec.FusedOp}, declared through
 * {@link org.dino4j.core.exec.Fusions}), and the session's memory management
 * ({@link org.dino4j.core.exec.SessionMemory}, {@link org.dino4j.core.exec.ReleasingMemoryMgr}). Public for
 * dino-core's model package and dino4j's benchmarks; may change without notice.
 */
package org.dino4j.core.exec;
