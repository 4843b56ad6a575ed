package org.dino4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dino4j.core.pretrained.io.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class PretrainedResNetTest {

    @Test
    void matchesPyTorchAtBothResolutions() throws Exception {
        for (Fixtures fx : Fixtures.all()) {
            for (String file : new String[] {"resnet-hub.pth", "resnet-train.pth"}) {
                BackboneWeights w = PretrainedCheckpoints.load(fx.file(file), LoadOptions.defaults());
                try (PretrainedResNet rn = new PretrainedResNet((BackboneWeights.ResNet) w)) {
                    for (int[] res : new int[][] {{224, 224}, {Fixtures.H2, Fixtures.W2}}) {
                        String r = res[0] == 224 ? "224" : res[0] + "x" + res[1];
                        INDArray f = rn.features(fx.inputs(res[0], res[1]));
                        Tensor e = fx.expected("resnet/" + r + "/features");
                        double rel = Fixtures.maxRowRelative(f.data().asFloat(), e.data(), rn.featureDim());
                        System.out.printf("%s %s %s rel %.3g%n", fx, file, r, rel);
                        assertTrue(rel <= 2e-5, file + " " + r + " relative difference " + rel);
                    }
                }
            }
        }
    }
}
