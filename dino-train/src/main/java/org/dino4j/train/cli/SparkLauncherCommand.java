package org.dino4j.train.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code dino spark embed|knn|search}, as listed by {@code dino --help}. The commands live in the dino-spark module's
 * job jar, which needs Spark on its class path; dino-train does not depend on Spark, so the {@code ./dino} launcher
 * script starts that jar itself when its first argument is {@code spark}. Reaching this class means the launcher was
 * bypassed (e.g. {@code java -jar dino-train-app.jar spark}): it says how to run the command instead.
 */
@Command(name = "spark", description = "Embeddings, weighted k-NN and search on Apache Spark "
        + "(dino-spark's job jar; ./dino spark --help, docs/spark.md).")
public final class SparkLauncherCommand implements Callable<Integer> {
    @Unmatched
    List<String> args;

    @Override
    public Integer call() {
        throw new IllegalArgumentException("'dino spark' runs dino-spark's job jar, not dino-train's: start it with the ./dino "
                + "launcher (Spark in local mode) or with spark-submit --class org.dino4j.spark.cli.SparkCommand "
                + "dino-spark/target/dino-spark-job.jar (docs/spark.md)");
    }
}
