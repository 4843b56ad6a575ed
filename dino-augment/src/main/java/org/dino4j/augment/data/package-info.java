/**
 * Image sources behind the common {@link org.dino4j.augment.data.ImageDataset} view, each also a DataVec
 * record reader: IDX files (MNIST / Fashion-MNIST), image folders, and the built-in synthetic shapes.
 */
package org.dino4j.augment.data;
