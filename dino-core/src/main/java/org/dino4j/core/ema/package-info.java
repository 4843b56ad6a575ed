/** Exponential moving average of the teacher parameters (DINO's momentum teacher). */
package org.dino4j.core.ema;
