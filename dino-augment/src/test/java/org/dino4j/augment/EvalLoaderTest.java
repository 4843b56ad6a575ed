package org.dino4j.augment;

import org.dino4j.augment.data.SyntheticDataset;
import org.dino4j.augment.transform.Normalization;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class EvalLoaderTest {
    @Test
    void coversEveryImageOnceNormalised() {
        SyntheticDataset ds = SyntheticDataset.of28(23, 4);
        EvalLoader ev = new EvalLoader(ds, 10, Normalization.HALF);
        assertEquals(3, ev.numBatches());
        int seen = 0;
        for (EvalLoader.Batch b : ev) {
            int n = b.labels().length;
            assertArrayEquals(new long[]{n, 1, 28, 28}, b.images().shape());
            float[] got = b.images().data().asFloat();
            for (int r = 0; r < n; r++) {
                int idx = b.indices()[r];
                assertEquals(seen + r, idx);
                assertEquals(ds.label(idx), b.labels()[r]);
                float[] img = ds.image(idx);
                for (int k = 0; k < img.length; k++) assertEquals((img[k] - 0.5) / 0.5, got[r * img.length + k], 1e-6);
            }
            seen += n;
        }
        assertEquals(23, seen);
    }
}
