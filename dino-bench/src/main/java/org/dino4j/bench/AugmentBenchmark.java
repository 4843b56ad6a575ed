package org.dino4j.bench;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.dino4j.augment.LoaderConfig;
import org.dino4j.augment.MultiCropBatch;
import org.dino4j.augment.MultiCropConfig;
import org.dino4j.augment.MultiCropLoader;
import org.dino4j.augment.MultiCropTransform;
import org.dino4j.augment.data.SyntheticDataset;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Multi-crop augmentation throughput in images per second (one image = its 2 global + N local views), DINO's
 * recipe (Caron et al. 2021, App. "data augmentation": random resized crop, flip, colour jitter, grayscale, blur,
 * solarization, normalisation) on the built-in synthetic dataset (images rendered on the fly, which is part of
 * the measured work, like decoding a file would be).
 *
 * <ul>
 *   <li>{@link #transform}: one batch of {@value #BATCH} images built by {@link MultiCropTransform#batch} on the
 *       benchmark thread (the loader's unit of work);</li>
 *   <li>{@link #loader}: batches taken from a {@link MultiCropLoader} with {@code workers} background threads
 *       (0 = built on the consumer thread), i.e. the rate at which training can be fed.</li>
 * </ul>
 * Presets: {@code 28} = the reference config (1×28² images, 2 × 28² + 6 × 12² crops); {@code 224} = DINO's
 * ImageNet recipe (3×256² synthetic images, 2 × 224² + 8 × 96² crops; slow, run on request).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
public class AugmentBenchmark {

    /** Images per batch (the reference config's batch). */
    public static final int BATCH = 256;

    /** Dataset and transform for one preset. */
    @State(Scope.Benchmark)
    public static class Data {
        /** {@code 28} (reference config) or {@code 224} (DINO ImageNet recipe). */
        @Param({"28"})
        public int preset;

        SyntheticDataset dataset;
        MultiCropConfig config;
        MultiCropTransform transform;
        int[] indices;
        long epoch;

        @Setup(Level.Trial)
        public void setUp() {
            if (preset == 28) {
                dataset = SyntheticDataset.of28(10_240, 1);
                config = MultiCropConfig.preset28();
            } else if (preset == 224) {
                dataset = new SyntheticDataset(10_240, 256, 256, 3, 1);
                config = MultiCropConfig.preset224();
            } else {
                throw new IllegalArgumentException("preset must be 28 or 224, got " + preset);
            }
            transform = MultiCropTransform.forDataset(config, dataset);
            indices = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                indices[i] = i;
            }
        }
    }

    /** A running loader over {@link Data}. */
    @State(Scope.Benchmark)
    public static class Loader {
        /** Background threads of the loader. */
        @Param({"0", "2"})
        public int workers;

        MultiCropLoader loader;
        Iterator<MultiCropBatch> it;
        int epoch;

        @Setup(Level.Trial)
        public void setUp(Data d) {
            BenchEnv.setUp("AugmentBenchmark.loader preset=" + d.preset + " workers=" + workers, Math.max(1, workers));
            loader = new MultiCropLoader(d.dataset, d.transform, LoaderConfig.training(BATCH, 3).withWorkers(workers));
            it = loader.epoch(epoch);
        }

        MultiCropBatch next() {
            if (!it.hasNext()) {
                it = loader.epoch(++epoch);
            }
            return it.next();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            loader.close();
        }
    }

    /** Prints the environment for the transform benchmark. */
    @State(Scope.Benchmark)
    public static class Banner {
        @Setup(Level.Trial)
        public void setUp(Data d) {
            BenchEnv.setUp("AugmentBenchmark.transform preset=" + d.preset, 1);
        }
    }

    /** One batch built on this thread; the score is images/s. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public MultiCropBatch transform(Data d, Banner banner) {
        return d.transform.batch(d.dataset, d.indices, 5, d.epoch++);
    }

    /** One batch taken from the prefetching loader; the score is images/s. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public MultiCropBatch loader(Loader l) {
        return l.next();
    }
}
