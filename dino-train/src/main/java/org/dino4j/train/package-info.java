/** dino4j train module. */
package org.dino4j.train;
