package org.dino4j.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Realistic parameter-array sizes for a model of a given total size: the tensors of a ViT (Dosovitskiy et al.
 * 2021) with patch 16 on 224² images — patch embedding {@code [D, 3·16·16]} + bias, class token {@code [D]},
 * position embedding {@code [197, D]}, then per block LayerNorm γ/β {@code [D]}, qkv {@code [3D, D]} + bias,
 * projection {@code [D, D]} + bias, LayerNorm γ/β, MLP {@code [4D, D]} + bias and {@code [D, 4D]} + bias — with as
 * many whole blocks as fit, and one last array (the "head") holding the remainder so that the total is exact.
 *
 * <p>The width follows the target: D = 384 (ViT-S/16, ~21.7M in 12 blocks) from 15M parameters up, 256 from
 * 4M, 128 below. For 22M this is ViT-S/16 plus a small head; for 10M a 12-block D-256 ViT; for 1M a 5-block
 * D-128 ViT.
 */
public final class ParamLayout {

    private ParamLayout() {
    }

    /**
     * @param total total number of parameters ({@code >= 1})
     * @return array lengths summing to {@code total}, in model order
     */
    public static int[] vitLike(int total) {
        if (total < 1) {
            throw new IllegalArgumentException("total parameters must be >= 1, got " + total);
        }
        int d = total >= 15_000_000 ? 384 : total >= 4_000_000 ? 256 : 128;
        List<Integer> sizes = new ArrayList<>();
        long sum = 0;
        int[] stem = {d * 3 * 16 * 16, d, d, 197 * d};
        int[] block = {d, d, 3 * d * d, 3 * d, d * d, d, d, d, 4 * d * d, 4 * d, 4 * d * d, d};
        long blockTotal = 0;
        for (int b : block) {
            blockTotal += b;
        }
        long stemTotal = 0;
        for (int s : stem) {
            stemTotal += s;
        }
        if (stemTotal < total) {
            for (int s : stem) {
                sizes.add(s);
            }
            sum = stemTotal;
            while (sum + blockTotal + 2L * d < total) {
                for (int b : block) {
                    sizes.add(b);
                }
                sum += blockTotal;
            }
            if (sum + 2L * d < total) {
                sizes.add(d); // final LayerNorm γ
                sizes.add(d); // final LayerNorm β
                sum += 2L * d;
            }
        }
        if (sum < total) {
            sizes.add((int) (total - sum)); // head: the remainder
        }
        int[] out = new int[sizes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = sizes.get(i);
        }
        return out;
    }
}
