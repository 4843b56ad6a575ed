package org.dino4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import javax.imageio.ImageIO;
import org.dino4j.core.pretrained.io.Tensor;
import org.junit.jupiter.api.Test;

class ImagePreprocessingTest {

    /** Pillow's Resize(256, BICUBIC) + CenterCrop(224) bytes, down- and upscaling, from the fixture script. */
    @Test
    void resizeAndCropGivePillowsBytes() throws Exception {
        Fixtures fx = Fixtures.checkedIn();
        for (String name : new String[] {"down", "up"}) {
            BufferedImage img = ImageIO.read(fx.file("preprocess-" + name + ".png").toFile());
            ImagePreprocessing.Rgb rgb = ImagePreprocessing.rgb(img);
            int w = rgb.width();
            int h = rgb.height();
            int nw = w <= h ? 256 : 256 * w / h;
            int nh = w <= h ? 256 * h / w : 256;
            ImagePreprocessing.Rgb c = ImagePreprocessing.centerCrop(ImagePreprocessing.resize(rgb, nw, nh), 224, 224);
            Tensor e = fx.expected("preprocess/" + name);
            int[] flat = new int[3 * 224 * 224];
            for (int ch = 0; ch < 3; ch++) {
                System.arraycopy(c.planes()[ch], 0, flat, ch * 224 * 224, 224 * 224);
            }
            int[] exp = new int[flat.length];
            for (int i = 0; i < exp.length; i++) {
                exp[i] = (int) e.data()[i];
            }
            assertArrayEquals(exp, flat, name);
            float[] t = ImagePreprocessing.evalTensor(img);
            assertEquals((flat[5] / 255f - 0.485f) / 0.229f, t[5]);
            assertEquals((flat[2 * 224 * 224 + 7] / 255f - 0.406f) / 0.225f, t[2 * 224 * 224 + 7]);
        }
    }

    @Test
    void greyImagesAreReplicatedWithoutColourConversion() {
        BufferedImage g = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(1, 1, 0, 77);
        ImagePreprocessing.Rgb rgb = ImagePreprocessing.rgb(g);
        for (int ch = 0; ch < 3; ch++) {
            assertEquals(77, rgb.planes()[ch][4]);
            assertEquals(0, rgb.planes()[ch][0]);
        }
    }

    @Test
    void centerCropRoundsHalfToEvenAsPython() {
        int[][] p = new int[3][5 * 1];
        for (int i = 0; i < 5; i++) {
            p[0][i] = i;
        }
        // (5 - 2) / 2 = 1.5 -> round() = 2 in Python
        ImagePreprocessing.Rgb c = ImagePreprocessing.centerCrop(new ImagePreprocessing.Rgb(5, 1, p), 2, 1);
        assertEquals(2, c.planes()[0][0]);
        int[][] q = new int[3][6];
        for (int i = 0; i < 6; i++) {
            q[0][i] = i;
        }
        // (6 - 1) / 2 = 2.5 -> round() = 2
        assertEquals(2, ImagePreprocessing.centerCrop(new ImagePreprocessing.Rgb(6, 1, q), 1, 1).planes()[0][0]);
    }
}
