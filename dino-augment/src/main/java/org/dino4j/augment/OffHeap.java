package org.dino4j.augment;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Batches staged on the heap, handed to ND4J: the training views ({@link MultiCropTransform}) and eval batches ({@link EvalLoader}). */
final class OffHeap {
    private static final boolean CPU_BACKEND =
            Nd4j.getBackend().getClass().getName().toLowerCase(Locale.ROOT).contains("cpu");

    private OffHeap() {
    }

    /**
     * A 'c'-order float array of {@code shape} holding {@code data}. On the CPU backend one bulk copy into an
     * uninitialised array: {@code Nd4j.create(float[], …)} copies element by element, a fifth of the loader's time
     * at 28².
     */
    static INDArray floats(float[] data, long[] shape) {
        if (!CPU_BACKEND) {
            return Nd4j.create(data, shape, 'c');
        }
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        a.data().asNioFloat().put(data, 0, (int) a.length());
        return a;
    }
}
