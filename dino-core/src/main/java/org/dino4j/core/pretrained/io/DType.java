package org.dino4j.core.pretrained.io;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Element types of tensors stored in PyTorch ({@code .pth}) and safetensors files, with their byte widths and the
 * conversion of one element to {@code float} / {@code double}. Both formats store little-endian data.
 */
public enum DType {
    /** IEEE binary64. */
    F64(8),
    /** IEEE binary32. */
    F32(4),
    /** IEEE binary16. */
    F16(2),
    /** bfloat16 (the upper half of a binary32). */
    BF16(2),
    /** signed 64-bit integer. */
    I64(8),
    /** signed 32-bit integer. */
    I32(4),
    /** signed 16-bit integer. */
    I16(2),
    /** signed 8-bit integer. */
    I8(1),
    /** unsigned 8-bit integer. */
    U8(1),
    /** boolean, one byte. */
    BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** @return bytes per element */
    public int bytes() {
        return bytes;
    }

    /** @return whether this is a floating-point type */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * Element {@code i} of a little-endian buffer as a double.
     *
     * @param b buffer in {@link java.nio.ByteOrder#LITTLE_ENDIAN} order
     * @param i element index (not byte)
     * @return the value
     */
    public double get(ByteBuffer b, int i) {
        int p = i * bytes;
        return switch (this) {
            case F64 -> b.getDouble(p);
            case F32 -> b.getFloat(p);
            case F16 -> halfToFloat(b.getShort(p));
            case BF16 -> Float.intBitsToFloat((b.getShort(p) & 0xffff) << 16);
            case I64 -> b.getLong(p);
            case I32 -> b.getInt(p);
            case I16 -> b.getShort(p);
            case I8 -> b.get(p);
            case U8, BOOL -> b.get(p) & 0xff;
        };
    }

    /**
     * IEEE binary16 → binary32, exact (subnormals, infinities and NaN included).
     *
     * @param h the 16 bits
     * @return the value
     */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero): mant · 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * The dtype of a PyTorch storage class name as pickled by {@code torch.save} ({@code FloatStorage}, …).
     *
     * @param storageClass class name without module, e.g. {@code FloatStorage}
     * @return the dtype
     * @throws IllegalArgumentException for an unknown storage class
     */
    public static DType ofTorchStorage(String storageClass) {
        return switch (storageClass) {
            case "DoubleStorage" -> F64;
            case "FloatStorage" -> F32;
            case "HalfStorage" -> F16;
            case "BFloat16Storage" -> BF16;
            case "LongStorage" -> I64;
            case "IntStorage" -> I32;
            case "ShortStorage" -> I16;
            case "CharStorage" -> I8;
            case "ByteStorage", "UntypedStorage" -> U8;
            case "BoolStorage" -> BOOL;
            default -> throw new IllegalArgumentException("unsupported tensor storage type torch." + storageClass);
        };
    }

    /** @return the PyTorch storage class name ({@code FloatStorage} …) of this dtype */
    public String torchStorage() {
        return switch (this) {
            case F64 -> "DoubleStorage";
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
            case I16 -> "ShortStorage";
            case I8 -> "CharStorage";
            case U8 -> "ByteStorage";
            case BOOL -> "BoolStorage";
        };
    }

    /**
     * The dtype of a safetensors header {@code dtype} string.
     *
     * @param name e.g. {@code F32}, {@code BF16}, {@code I64}
     * @return the dtype
     * @throws IllegalArgumentException for an unsupported name
     */
    public static DType ofSafetensors(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.equals("BOOL")) {
            return BOOL;
        }
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported safetensors dtype " + name);
        }
    }
}
