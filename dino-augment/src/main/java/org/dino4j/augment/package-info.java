/** dino4j augment module. */
package org.dino4j.augment;
