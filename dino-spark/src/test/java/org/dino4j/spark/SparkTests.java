package org.dino4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The one Spark session of the module's tests: real Spark in local mode with two task threads and up to three
 * attempts per task ({@code local[2,3]}, so the fault tests see retries), a temporary warehouse, no UI. Created on first use, stopped when the test JVM exits.
 */
final class SparkTests {
    private static SparkSession spark;
    private static Path scratch;

    private SparkTests() {
    }

    static synchronized SparkSession spark() {
        if (spark == null) {
            try {
                scratch = Files.createTempDirectory("dino-spark-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            spark = SparkSession.builder()
                    .master("local[2,3]")
                    .appName("dino-spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.sql.warehouse.dir", scratch.resolve("warehouse").toString())
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                spark.stop();
                delete(scratch);
            }));
        }
        return spark;
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
