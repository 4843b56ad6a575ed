/** Linear probe: multinomial logistic regression on frozen features. */
package org.dino4j.eval.linear;
