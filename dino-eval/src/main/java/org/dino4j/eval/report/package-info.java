/** Self-contained HTML run reports from a metrics log and evaluation outputs. */
package org.dino4j.eval.report;
