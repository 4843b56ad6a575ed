package org.dino4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.dino4j.core.pretrained.io.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class PretrainedVitTest {

    @Test
    void matchesPyTorchAtBothResolutions() throws Exception {
        for (Fixtures fx : Fixtures.all()) {
            for (String tag : new String[] {"vit16", "vit8"}) {
                BackboneWeights w = PretrainedCheckpoints.load(fx.file(tag + "-hub.pth"), LoadOptions.defaults().withHeads(3));
                try (PretrainedVit vit = new PretrainedVit((BackboneWeights.Vit) w, 2)) {
                    for (int[] res : new int[][] {{224, 224}, {Fixtures.H2, Fixtures.W2}}) {
                        String r = res[0] == 224 ? "224" : res[0] + "x" + res[1];
                        INDArray x = fx.inputs(res[0], res[1]);
                        INDArray f = vit.features(x);
                        Tensor e = fx.expected(tag + "/" + r + "/cls");
                        double rel = Fixtures.maxRowRelative(f.data().asFloat(), e.data(), 48);
                        System.out.printf("%s %s %s cls rel %.3g%n", fx, tag, r, rel);
                        assertTrue(rel <= 2e-5, tag + " " + r + " CLS relative difference " + rel);
                        INDArray att = vit.lastAttention(x);
                        long t = att.size(3);
                        INDArray rows = att.get(NDArrayIndex.all(), NDArrayIndex.all(),
                                NDArrayIndex.indices(0, 1, t / 2, t - 1), NDArrayIndex.all()).dup('c');
                        Tensor ea = fx.expected(tag + "/" + r + "/attention_rows");
                        assertEquals(ea.size(), rows.length());
                        double relA = Fixtures.maxRowRelative(rows.castTo(DataType.FLOAT).data().asFloat(), ea.data(), (int) t);
                        System.out.printf("%s %s %s attention rel %.3g%n", fx, tag, r, relA);
                        assertTrue(relA <= 1e-4, tag + " " + r + " attention relative difference " + relA);
                    }
                }
            }
        }
    }

    /** Attention computed one image at a time (the budget of ViT-B/8 at large sizes) gives the same numbers. */
    @Test
    void chunkedAttentionEqualsWholeBatch() throws Exception {
        Fixtures fx = Fixtures.checkedIn();
        BackboneWeights w = PretrainedCheckpoints.load(fx.file("vit8-hub.pth"), LoadOptions.defaults().withHeads(3));
        try (PretrainedVit vit = new PretrainedVit((BackboneWeights.Vit) w, 2)) {
            INDArray x = fx.inputs(Fixtures.H2, Fixtures.W2);
            INDArray whole = vit.features(x);
            INDArray attWhole = vit.lastAttention(x);
            vit.setScoreBudget(1);
            assertEquals(whole, vit.features(x));
            assertEquals(attWhole, vit.lastAttention(x));
        }
    }
}
