/**
 * DINO multi-crop augmentation (Caron et al. 2021, §3.1): {@link org.dino4j.augment.MultiCropConfig} (the
 * recipe and its 28/224 presets), {@link org.dino4j.augment.MultiCropTransform} (one image → 2 global +
 * N local views), {@link org.dino4j.augment.MultiCropLoader} (seeded, thread-count-independent prefetching
 * of view-major {@link org.dino4j.augment.MultiCropBatch}es) and {@link org.dino4j.augment.EvalLoader}
 * (un-augmented, normalised batches). Primitive view ops are in {@code org.dino4j.augment.transform},
 * datasets (IDX, image folders, synthetic) in {@code org.dino4j.augment.data}. See docs/augment.md.
 */
package org.dino4j.augment;
