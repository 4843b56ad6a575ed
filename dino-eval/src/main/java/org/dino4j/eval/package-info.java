/** dino4j eval module. */
package org.dino4j.eval;
