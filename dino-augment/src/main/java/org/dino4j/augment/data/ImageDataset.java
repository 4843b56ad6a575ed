package org.dino4j.augment.data;

/**
 * A random-access image source: {@code size()} images of shape {@code [C, H, W]}, values in [0, 1],
 * channels-first 'c' order, each with an integer label in {@code [0, numClasses())}. Implementations are
 * immutable after construction and safe for concurrent reads (the prefetching loader calls
 * {@link #imageInto} from several threads). Labels are carried for evaluation; training never uses them.
 */
public interface ImageDataset {
    /** @return number of images. */
    int size();

    /** @return C, 1 (grayscale) or 3 (RGB). */
    int channels();

    /** @return H. */
    int height();

    /** @return W. */
    int width();

    /** @return number of classes; labels are in {@code [0, numClasses())}. */
    int numClasses();

    /** @return a readable name of class {@code c}. */
    default String className(int c) {
        return Integer.toString(c);
    }

    /** @return the label of image {@code i}. */
    int label(int i);

    /**
     * Writes image {@code i} into {@code dst[0 .. C·H·W)} as floats in [0, 1], channels-first.
     *
     * @param i   image index in {@code [0, size())}
     * @param dst destination of length &ge; C·H·W
     */
    void imageInto(int i, float[] dst);

    /** @return image {@code i} as a new {@code float[C·H·W]} in [0, 1], channels-first. */
    default float[] image(int i) {
        float[] dst = new float[channels() * height() * width()];
        imageInto(i, dst);
        return dst;
    }

    /** @return a DataVec record reader over this dataset (see {@link ImageDatasetRecordReader}). */
    default ImageDatasetRecordReader recordReader() {
        return new ImageDatasetRecordReader(this);
    }

    /** Throws {@link IndexOutOfBoundsException} unless {@code 0 <= i < size}. */
    static void checkIndex(int i, int size) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("image index " + i + " outside [0, " + size + ")");
    }
}
