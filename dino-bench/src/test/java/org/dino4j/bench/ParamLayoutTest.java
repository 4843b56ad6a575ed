package org.dino4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParamLayoutTest {

    private static long sum(int[] a) {
        long s = 0;
        for (int v : a) {
            assertTrue(v > 0, "array lengths must be positive, got " + v);
            s += v;
        }
        return s;
    }

    private static int count(int[] a, int len) {
        int c = 0;
        for (int v : a) {
            if (v == len) {
                c++;
            }
        }
        return c;
    }

    @Test
    void totalsAreExact() {
        for (int p : new int[]{1, 1_000, 1_000_000, 10_000_000, 22_000_000}) {
            assertEquals(p, sum(ParamLayout.vitLike(p)), "total for " + p);
        }
    }

    @Test
    void twentyTwoMillionIsViTSmallSixteen() {
        int[] l = ParamLayout.vitLike(22_000_000);
        int d = 384;
        assertEquals(12, count(l, 3 * d * d), "qkv matrices of 12 blocks");
        assertEquals(24, count(l, 4 * d * d), "two MLP matrices per block");
        assertEquals(d * 3 * 16 * 16, l[0], "patch embedding first");
        // ViT-S/16 without head: 21.67M, so the head remainder is a few hundred thousand
        assertTrue(l[l.length - 1] < 1_000_000, "head remainder " + l[l.length - 1]);
    }

    @Test
    void tenMillionHasManySmallAndLargeTensors() {
        int[] l = ParamLayout.vitLike(10_000_000);
        assertTrue(l.length > 100, "tensors " + l.length);
        assertEquals(24, count(l, 4 * 256 * 256), "12 blocks of width 256, two MLP matrices each");
    }

    @Test
    void rejectsNonPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParamLayout.vitLike(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }
}
