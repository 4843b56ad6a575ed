/** Batched feature extraction from a backbone function, L2 normalisation, CSV/NPY export. */
package org.dino4j.eval.features;
