package org.dino4j.core.pretrained.readme;

import java.io.File;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dino4j.core.pretrained.PretrainedDino;

public class Embed {
    public static void main(String[] args) throws Exception {            // args: weights image
        try (PretrainedDino dino = PretrainedDino.load(Path.of(args[0]))) {  // .pth (hub or checkpoint.pth) or .safetensors
            float[] e = dino.embed(ImageIO.read(new File(args[1])));         // resize 256, crop 224, ImageNet mean/std
            System.out.println(dino.describe() + ": " + e.length + " features");
        }
    }
}
