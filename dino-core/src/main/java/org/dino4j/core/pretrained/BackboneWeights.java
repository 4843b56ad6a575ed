package org.dino4j.core.pretrained;

import java.util.Map;
import org.dino4j.core.pretrained.io.Tensor;

/**
 * The backbone weights of a DINO checkpoint in the official (PyTorch state-dict) names and shapes, validated
 * against an architecture read off the file ({@link PretrainedCheckpoints#load}).
 */
public sealed interface BackboneWeights permits BackboneWeights.Vit, BackboneWeights.ResNet {

    /** @return the tensors by official name (row-major float32, PyTorch's shapes) */
    Map<String, Tensor> tensors();

    /** @return a one-line description of the architecture */
    String describe();

    /** @return the feature dimension of the backbone */
    int featureDim();

    /**
     * A ViT's weights (official {@code vision_transformer.py} names: {@code cls_token}, {@code pos_embed},
     * {@code patch_embed.proj.*}, {@code blocks.N.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}.*},
     * {@code norm.*}).
     *
     * @param spec the architecture
     * @param tensors the weights, exactly the keys of {@link VitSpec#officialShapes()}
     */
    record Vit(VitSpec spec, Map<String, Tensor> tensors) implements BackboneWeights {
        /** Keeps an unmodifiable copy. */
        public Vit {
            tensors = Map.copyOf(tensors);
        }

        @Override
        public String describe() {
            return spec.describe();
        }

        @Override
        public int featureDim() {
            return spec.embedDim();
        }
    }

    /**
     * A torchvision ResNet's weights (with BatchNorm running statistics).
     *
     * @param spec the architecture
     * @param tensors the weights, exactly the keys of {@link ResNetSpec#shapes()}
     */
    record ResNet(ResNetSpec spec, Map<String, Tensor> tensors) implements BackboneWeights {
        /** Keeps an unmodifiable copy. */
        public ResNet {
            tensors = Map.copyOf(tensors);
        }

        @Override
        public String describe() {
            return spec.describe();
        }

        @Override
        public int featureDim() {
            return spec.featureDim();
        }
    }
}
