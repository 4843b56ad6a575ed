package org.dino4j.core.pretrained;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.dino4j.core.DinoRuntime;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A pretrained DINO backbone ready to embed images: one call from a checkpoint file (official hub {@code .pth},
 * a {@code main_dino.py} training checkpoint, or a {@code facebook/dino-*} safetensors file; see
 * {@link PretrainedCheckpoints}) to an object that turns {@link BufferedImage}s into the paper's features — the
 * ViT's CLS token after the final LayerNorm, or the ResNet-50's pooled 2048-d vector — with the official
 * evaluation preprocessing ({@link ImagePreprocessing#evalTensor}: resize 256, center crop 224, ImageNet
 * normalisation).
 *
 * <pre>{@code
 * try (PretrainedDino dino = PretrainedDino.load(Path.of("dino_deitsmall16_pretrain.pth"))) {
 *     float[] e = dino.embed(ImageIO.read(new File("cat.jpg")));   // 384 floats for ViT-S/16
 * }
 * }</pre>
 *
 * The model is loaded once; {@link #embed(List)} runs a whole list as one batch, and {@link #features(INDArray)}
 * takes already-preprocessed {@code [B, 3, H, W]} tensors (any size; ViT position embeddings are interpolated as
 * the official code does). Features are raw (not L2-normalised; the paper's k-NN normalises them).
 */
public final class PretrainedDino implements AutoCloseable {
    private final PretrainedBackbone backbone;
    private final BackboneWeights weights;

    private PretrainedDino(BackboneWeights weights, int threads) {
        this.weights = weights;
        this.backbone = weights instanceof BackboneWeights.Vit v ? new PretrainedVit(v, threads)
                : new PretrainedResNet((BackboneWeights.ResNet) weights);
    }

    /**
     * Loads a checkpoint with the default options (the {@code teacher} of a training checkpoint, heads inferred).
     *
     * @param checkpoint {@code .pth} / {@code .safetensors} file
     * @return the model
     * @throws IOException naming the file when it cannot be read or does not hold a DINO ViT / ResNet
     */
    public static PretrainedDino load(Path checkpoint) throws IOException {
        return load(checkpoint, LoadOptions.defaults());
    }

    /**
     * @param checkpoint {@code .pth} / {@code .safetensors} file
     * @param options checkpoint key, heads
     * @return the model
     * @throws IOException naming the file when it cannot be read or does not hold a DINO ViT / ResNet
     */
    public static PretrainedDino load(Path checkpoint, LoadOptions options) throws IOException {
        return of(PretrainedCheckpoints.load(checkpoint, options));
    }

    /**
     * @param weights weights already read
     * @return the model (Java kernel threads = ND4J's thread count)
     */
    public static PretrainedDino of(BackboneWeights weights) {
        return new PretrainedDino(Objects.requireNonNull(weights, "weights"), Math.max(1, DinoRuntime.threads()));
    }

    /** @return the weights (official names) */
    public BackboneWeights weights() {
        return weights;
    }

    /** @return the inference engine ({@link PretrainedVit} or {@link PretrainedResNet}) */
    public PretrainedBackbone backbone() {
        return backbone;
    }

    /** @return the feature dimension D */
    public int featureDim() {
        return backbone.featureDim();
    }

    /** @return a one-line description of the architecture */
    public String describe() {
        return backbone.describe();
    }

    /**
     * @param image an image (any size; grey and RGBA are converted to RGB)
     * @return its feature vector, {@code featureDim()} floats
     */
    public float[] embed(BufferedImage image) {
        return embed(List.of(image))[0];
    }

    /**
     * @param images images (any sizes), embedded as one batch
     * @return {@code [images.size()][featureDim()]}
     */
    public float[][] embed(List<BufferedImage> images) {
        if (images.isEmpty()) {
            return new float[0][];
        }
        int n = ImagePreprocessing.CROP * ImagePreprocessing.CROP * 3;
        float[] batch = new float[images.size() * n];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(ImagePreprocessing.evalTensor(images.get(i)), 0, batch, i * n, n);
        }
        INDArray x = Nd4j.createFromArray(batch).reshape('c', images.size(), 3, ImagePreprocessing.CROP,
                ImagePreprocessing.CROP);
        return features(x).toFloatMatrix();
    }

    /**
     * @param images preprocessed images {@code [B, 3, H, W]}
     * @return features {@code [B, D]}
     */
    public INDArray features(INDArray images) {
        return backbone.features(images);
    }

    @Override
    public void close() {
        backbone.close();
    }
}
