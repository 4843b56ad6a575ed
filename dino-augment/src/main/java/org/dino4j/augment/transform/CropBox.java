package org.dino4j.augment.transform;

/**
 * A crop rectangle in source-image pixel coordinates: rows {@code [top, top+height)}, columns
 * {@code [left, left+width)}.
 *
 * @param top    first row (0-based)
 * @param left   first column (0-based)
 * @param height number of rows, &ge; 1
 * @param width  number of columns, &ge; 1
 */
public record CropBox(int top, int left, int height, int width) {
    /** Validates that the box is non-empty with non-negative corner. */
    public CropBox {
        if (top < 0) throw new IllegalArgumentException("top must be >= 0, got " + top);
        if (left < 0) throw new IllegalArgumentException("left must be >= 0, got " + left);
        if (height < 1) throw new IllegalArgumentException("height must be >= 1, got " + height);
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
    }

    /** @return {@code height * width}, the area in source pixels. */
    public int area() {
        return height * width;
    }
}
