/**
 * dino4j on Apache Spark: {@link org.dino4j.spark.SparkEmbed} (backbone embeddings of an image table as Parquet),
 * {@link org.dino4j.spark.SparkKnn} (DINO's weighted k-NN and nearest-neighbour search between two embedding
 * tables of any size, equal to dino-eval's {@code WeightedKnn}); {@code cli.SparkCommand} is the job jar's main
 * class. Spark is a provided dependency: the cluster's own Spark runs the jobs.
 */
package org.dino4j.spark;
