/**
 * Crash-safe output files ({@link org.dino4j.core.io.AtomicFiles}: temporary file, fsync, atomic rename) and
 * one-line descriptions of file-system errors ({@link org.dino4j.core.io.IoErrors}).
 */
package org.dino4j.core.io;
