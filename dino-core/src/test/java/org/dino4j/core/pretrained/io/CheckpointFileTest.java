package org.dino4j.core.pretrained.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strided, offset, shared and non-float32 storages as torch.save and safetensors write them. */
class CheckpointFileTest {

    private static float base(int r, int c) {
        return (r * 4 + c) / 7f;
    }

    @Test
    void stridesOffsetsAndDtypes() throws Exception {
        Path dir = Path.of(getClass().getResource("/pretrained/layouts.pth").toURI()).getParent();
        try (CheckpointFile f = CheckpointFile.open(dir.resolve("layouts.pth"))) {
            Map<String, TensorRef> t = CheckpointFile.tensorsOf((Map<?, ?>) f.root());
            float[] b = new float[12];
            float[] tr = new float[12];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    b[r * 4 + c] = base(r, c);
                    tr[c * 3 + r] = base(r, c);
                }
            }
            assertArrayEquals(b, t.get("base").floats());
            assertArrayEquals(new long[] {4, 3}, t.get("transposed").shape());
            assertArrayEquals(tr, t.get("transposed").floats(), "a transposed view (strides [1, 4])");
            assertArrayEquals(java.util.Arrays.copyOfRange(b, 4, 12), t.get("offset").floats(), "storage offset 4");
            assertArrayEquals(new float[] {base(0, 2), base(1, 2), base(2, 2)}, t.get("column").floats());
            assertEquals(DType.F16, t.get("half").dtype());
            assertArrayEquals(b, t.get("half").floats(), 1e-3f);
            assertEquals(DType.BF16, t.get("bfloat16").dtype());
            assertArrayEquals(b, t.get("bfloat16").floats(), 1e-2f);
            assertEquals(DType.F64, t.get("double").dtype());
            assertArrayEquals(b, t.get("double").floats());
        }
        try (CheckpointFile f = CheckpointFile.open(dir.resolve("layouts.safetensors"))) {
            @SuppressWarnings("unchecked")
            Map<String, TensorRef> t = (Map<String, TensorRef>) f.root();
            float[] half = t.get("half").floats();
            assertEquals(base(2, 3), half[11], 1e-3f);
            assertEquals(base(1, 1), t.get("bfloat16").floats()[5], 1e-2f);
            assertEquals(base(0, 1), t.get("double").floats()[1]);
        }
    }

    @Test
    void halfPrecisionConversionIsExact() {
        assertEquals(1.0f, DType.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, DType.halfToFloat((short) 0xc000));
        assertEquals(65504f, DType.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, DType.halfToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, DType.halfToFloat((short) 0x7c00));
        assertEquals(Float.NaN, DType.halfToFloat((short) 0x7e00));
        assertEquals(-0.0f, DType.halfToFloat((short) 0x8000));
    }
}
