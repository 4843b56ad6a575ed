/** Barnes-Hut and exact t-SNE to 2-D, with PCA pre-reduction, vantage-point tree and quadtree. */
package org.dino4j.eval.tsne;
