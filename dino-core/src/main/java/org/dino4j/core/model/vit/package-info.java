/**
 * Vision Transformer backbone for DINO ({@link org.dino4j.core.model.vit.VisionTransformer},
 * {@link org.dino4j.core.model.vit.VitConfig}), the position-embedding interpolation it uses
 * ({@link org.dino4j.core.model.vit.PositionInterpolation}) and the last block's attention maps
 * ({@link org.dino4j.core.model.vit.AttentionMaps}). See docs/vit.md.
 */
package org.dino4j.core.model.vit;
