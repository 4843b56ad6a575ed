/** Weighted k-NN classification on cosine similarity (DINO Sec. 4.1), chunked for bounded memory. */
package org.dino4j.eval.knn;
