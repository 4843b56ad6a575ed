/** dino4j bench module. */
package org.dino4j.bench;
