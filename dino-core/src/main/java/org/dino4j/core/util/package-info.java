/**
 * <b>Internal</b> (not part of dino4j's API; may change without notice): helpers shared by dino-core's CPU kernels —
 * a fixed worker pool that splits index ranges deterministically ({@link org.dino4j.core.util.Parallel}), direct
 * host-memory access to ND4J arrays plus the one backend switch that decides between the Java kernels and the ND4J
 * fallback ({@link org.dino4j.core.util.HostArrays}), and the Vector API kernels ({@link org.dino4j.core.util.Simd}
 * decides whether they run and holds the EMA's; {@link org.dino4j.core.util.SimdLoss} the loss's rows,
 * {@link org.dino4j.core.util.SimdLayers} the fused layers'). The user's choice for the backend switch and the SIMD
 * kernels is {@link org.dino4j.core.KernelOptions}.
 * They are public only because several dino-core packages (and dino4j's benchmarks) share them; a library user needs
 * none of them. Helpers used by one package only live in that package, package-private (e.g. the loss's
 * {@code FastExp}, the fusions' {@code KernelPools}).
 */
package org.dino4j.core.util;
