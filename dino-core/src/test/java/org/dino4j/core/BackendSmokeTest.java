package org.dino4j.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BackendSmokeTest {
    @Test
    void backendLoadsAndComputes() {
        assertEquals(6.0, Nd4j.createFromArray(1f, 2f, 3f).sumNumber().doubleValue(), 1e-6);
    }
}
