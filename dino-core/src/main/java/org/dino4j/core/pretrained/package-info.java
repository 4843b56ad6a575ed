/**
 * Pretrained DINO checkpoints without Python: {@link org.dino4j.core.pretrained.PretrainedCheckpoints} reads the
 * official ViT / ResNet-50 weights (hub files, {@code main_dino.py} training checkpoints, Hugging Face
 * {@code facebook/dino-*}) from {@code .pth} or {@code .safetensors}; {@link org.dino4j.core.pretrained.PretrainedVit}
 * and {@link org.dino4j.core.pretrained.PretrainedResNet} compute the official architectures' features (tested
 * against PyTorch); {@link org.dino4j.core.pretrained.PretrainedDino} turns images into embeddings with the official
 * preprocessing ({@link org.dino4j.core.pretrained.ImagePreprocessing}); {@link org.dino4j.core.pretrained.OfficialExport}
 * writes a dino4j ViT in the official layout. See docs/pretrained.md.
 */
package org.dino4j.core.pretrained;
