/**
 * Image inputs of the pretrained-checkpoint commands ({@code dino embed}, {@code dino eval --weights}): image folders
 * ({@link org.dino4j.train.pretrained.ImageFiles}), labelled evaluation sets
 * ({@link org.dino4j.train.pretrained.PretrainedData}), batches preprocessed one ahead on a background thread
 * ({@link org.dino4j.train.pretrained.PreprocessedBatches}) and a progress bar.
 */
package org.dino4j.train.pretrained;
