/** Primitive view transforms on channels-first float images and their validated parameter records. */
package org.dino4j.augment.transform;
