/** {@code dino spark embed|knn|search}: the command line of dino-spark's job jar. */
package org.dino4j.spark.cli;
