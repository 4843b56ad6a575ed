/**
 * DINO networks on SameDiff: the {@link org.dino4j.core.model.Backbone} extension point,
 * {@link org.dino4j.core.model.SmallResNet} (GroupNorm ResNet-style CNN), the projection head
 * {@link org.dino4j.core.model.DinoHead} (Caron et al. 2021, Sec. 3.1 / Appendix "Projection head") and
 * {@link org.dino4j.core.model.DinoModel}, backbone + head + training loss in one graph whose trainable
 * parameters are all views of one flat buffer.
 */
package org.dino4j.core.model;
