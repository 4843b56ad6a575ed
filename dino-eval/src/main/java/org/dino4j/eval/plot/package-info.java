/** PNG scatter plots (JFreeChart) and coordinate CSVs. */
package org.dino4j.eval.plot;
