/**
 * Small shared helpers for the CPU kernels of dino-core: a fixed worker pool that splits index ranges
 * deterministically ({@link org.dino4j.core.util.Parallel}) and direct host-memory access to ND4J arrays plus the
 * one backend switch that decides between the Java kernels and the ND4J fallback
 * ({@link org.dino4j.core.util.HostArrays}).
 */
package org.dino4j.core.util;
