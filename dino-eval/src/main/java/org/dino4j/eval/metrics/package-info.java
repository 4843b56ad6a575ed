/** Embedding quality metrics: trustworthiness and silhouette. */
package org.dino4j.eval.metrics;
