package org.dino4j.train.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dino4j.core.model.vit.AttentionMaps;
import org.dino4j.core.pretrained.ImagePreprocessing;
import org.dino4j.core.pretrained.PretrainedDino;
import org.dino4j.core.pretrained.PretrainedVit;
import org.dino4j.train.pretrained.ImageFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The attention maps of a pretrained DINO ViT over image files, as the official {@code visualize_attention.py}:
 * resize to H×W (bicubic), ToTensor + ImageNet normalisation, crop to a multiple of the patch size, the last block's
 * CLS→patch attention per head ({@code get_last_selfattention}{@code [0, :, 0, 1:]}), optionally thresholded to keep
 * the share t of each head's mass ({@link AttentionMaps#massMask}), drawn next to the image
 * ({@link AttentionMaps#render}). One PNG per image: {@code OUT/<file name>-attention.png}.
 */
final class PretrainedAttention {
    private PretrainedAttention() {
    }

    static List<String> write(Path weights, WeightsOptions load, int threads, String[] images, int[] size,
                              Double threshold, int scale, Path out) throws IOException {
        if (size.length < 1 || size.length > 2 || size[0] < 1 || size[size.length - 1] < 1) {
            throw new IllegalArgumentException("--image-size must be H or H,W with positive sizes");
        }
        int h = size[0];
        int w = size.length == 2 ? size[1] : size[0];
        List<Path> files = new ArrayList<>();
        for (String s : images) {
            Path p = Path.of(s.trim());
            if (Files.isDirectory(p)) {
                files.addAll(ImageFiles.scan(p).files());
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IOException(p + ": no such image file or folder (--images)");
            }
        }
        List<String> written = new ArrayList<>();
        try (PretrainedDino dino = load.load(weights, threads)) {
            if (!(dino.backbone() instanceof PretrainedVit vit)) {
                throw new IllegalArgumentException("attention maps need a ViT checkpoint; " + weights + " holds a "
                        + dino.describe());
            }
            int p = vit.spec().patchSize();
            int ch = h - h % p;
            int cw = w - w % p;
            if (ch < p || cw < p) {
                throw new IllegalArgumentException("--image-size " + h + "x" + w + " is smaller than the patch size " + p);
            }
            for (Path f : files) {
                ImagePreprocessing.Rgb rgb = ImagePreprocessing.resize(ImagePreprocessing.rgb(ImageFiles.read(f)), w, h);
                float[] x = ImagePreprocessing.normalise(rgb);
                INDArray img = Nd4j.createFromArray(x).reshape('c', 1, 3, h, w)
                        .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, ch), NDArrayIndex.interval(0, cw))
                        .dup('c');
                INDArray att = vit.lastAttention(img);
                int gh = ch / p;
                int gw = cw / p;
                float[][] maps = AttentionMaps.clsToPatches(att, 0);
                float[] shown = new float[3 * ch * cw];
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < ch; y++) {
                        for (int xx = 0; xx < cw; xx++) {
                            shown[(c * ch + y) * cw + xx] = rgb.planes()[c][y * w + xx] / 255f;
                        }
                    }
                }
                String name = f.getFileName().toString();
                int dot = name.lastIndexOf('.');
                Path png = out.resolve((dot > 0 ? name.substring(0, dot) : name) + "-attention.png");
                AttentionMaps.writePng(AttentionMaps.render(shown, 3, ch, cw, maps, gh, gw, threshold, scale), png);
                written.add(png.toString());
            }
        }
        return written;
    }
}
