package org.dino4j.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dino4j.eval.features.EmbeddingExport;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.knn.WeightedKnn;
import org.dino4j.eval.linear.LinearProbe;
import org.dino4j.eval.linear.LinearProbeOptions;
import org.dino4j.eval.linear.LinearProbeResult;
import org.dino4j.eval.metrics.ClusterMetrics;
import org.dino4j.eval.plot.ScatterPlot;
import org.dino4j.eval.tsne.Tsne;
import org.dino4j.eval.tsne.TsneOptions;
import org.dino4j.eval.tsne.TsneResult;
import org.dino4j.eval.tsne.TsneSummary;

/**
 * One-call entry points behind {@code dino eval knn|linear|tsne|embed} (the CLI in dino-train extracts
 * {@link Embeddings} with {@link org.dino4j.eval.features.Features} and calls these). Each writes its results
 * under an output directory with the file names below, which {@link org.dino4j.eval.report.RunReport} reads.
 */
public final class Evaluation {
    /** k-NN result JSON. */
    public static final String KNN_JSON = "knn.json";
    /** Linear-probe result JSON. */
    public static final String LINEAR_JSON = "linear.json";
    /** t-SNE picture. */
    public static final String TSNE_PNG = "tsne.png";
    /** t-SNE coordinates {@code x,y,label}. */
    public static final String TSNE_CSV = "tsne.csv";
    /** t-SNE metrics JSON ({@link TsneSummary}). */
    public static final String TSNE_JSON = "tsne.json";

    private Evaluation() {
    }

    /** Weighted k-NN of {@code test} against the memory {@code train}; writes {@link #KNN_JSON} if outDir ≠ null. */
    public static KnnResult knn(Embeddings train, Embeddings test, KnnOptions options, Path outDir) throws IOException {
        require(train, "train");
        require(test, "test");
        KnnResult r = new WeightedKnn(options).evaluate(train.features(), train.labels(), test.features(),
                test.labels(), Math.max(train.numClasses(), test.numClasses()));
        write(outDir, KNN_JSON, r.toJson());
        return r;
    }

    /** Linear probe trained on {@code train}, scored on {@code test}; writes {@link #LINEAR_JSON} if outDir ≠ null. */
    public static LinearProbeResult linear(Embeddings train, Embeddings test, LinearProbeOptions options, Path outDir)
            throws IOException {
        require(train, "train");
        require(test, "test");
        LinearProbeResult r = new LinearProbe(options).fit(train.features(), train.labels(), test.features(),
                test.labels(), Math.max(train.numClasses(), test.numClasses()));
        write(outDir, LINEAR_JSON, r.toJson());
        return r;
    }

    /**
     * t-SNE of the embeddings with trustworthiness (k = 5, against the input features) and silhouette by label;
     * writes {@link #TSNE_PNG}, {@link #TSNE_CSV} and {@link #TSNE_JSON} into {@code outDir} (required).
     *
     * @param classNames optional legend names indexed by label
     */
    public static TsneSummary tsne(Embeddings e, TsneOptions options, List<String> classNames, Path outDir)
            throws IOException {
        require(e, "embeddings");
        if (outDir == null) {
            throw new IllegalArgumentException("outDir is missing (null)");
        }
        TsneResult r = new Tsne(options).fit(e.features());
        double trust = ClusterMetrics.trustworthiness(e.features(), r.embedding(), TsneSummary.TRUST_K);
        double sil = ClusterMetrics.silhouette(r.embedding(), e.labels());
        TsneSummary s = new TsneSummary(e.size(), e.dim(), trust, sil, r.klDivergence(), r.millis(), options);
        Files.createDirectories(outDir);
        ScatterPlot.writePng(r.embedding(), e.labels(), classNames,
                String.format(java.util.Locale.ROOT, "t-SNE (N=%d, trustworthiness %.3f, silhouette %.3f)", e.size(), trust, sil),
                outDir.resolve(TSNE_PNG), 900, 700);
        ScatterPlot.writeCsv(r.embedding(), e.labels(), outDir.resolve(TSNE_CSV));
        write(outDir, TSNE_JSON, s.toJson());
        return s;
    }

    /** Writes {@code prefix.csv}, {@code prefix.npy} (float32 [N, D]) and {@code prefix_labels.npy} (int32 [N]). */
    public static void embed(Embeddings e, Path outDir, String prefix) throws IOException {
        require(e, "embeddings");
        if (outDir == null || prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("outDir and a non-empty prefix are required, got " + outDir
                    + ", '" + prefix + "'");
        }
        Files.createDirectories(outDir);
        EmbeddingExport.writeCsv(e, outDir.resolve(prefix + ".csv"));
        EmbeddingExport.writeNpy(e, outDir.resolve(prefix + ".npy"), outDir.resolve(prefix + "_labels.npy"));
    }

    private static void require(Embeddings e, String name) {
        if (e == null) {
            throw new IllegalArgumentException(name + " embeddings are missing (null)");
        }
    }

    private static void write(Path outDir, String file, String json) throws IOException {
        if (outDir != null) {
            Files.createDirectories(outDir);
            org.dino4j.core.io.AtomicFiles.writeString(outDir.resolve(file), json);
        }
    }
}
