/**
 * Checkpoint files: PyTorch's zip + pickle format ({@link org.dino4j.core.pretrained.io.CheckpointFile} with the safe
 * {@link org.dino4j.core.pretrained.io.Unpickler}) and safetensors, read lazily as
 * {@link org.dino4j.core.pretrained.io.TensorRef}s; {@link org.dino4j.core.pretrained.io.CheckpointWriter} writes both.
 */
package org.dino4j.core.pretrained.io;
