/** dino4j core module. */
package org.dino4j.core;
