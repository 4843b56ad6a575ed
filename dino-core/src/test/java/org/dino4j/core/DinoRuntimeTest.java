package org.dino4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class DinoRuntimeTest {
    private static void fails(String field, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void setThreadsSetsNd4jsMasterThreadsAndRejectsZero() {
        int old = DinoRuntime.threads();
        DinoRuntime.setThreads(1);
        assertEquals(1, DinoRuntime.threads());
        DinoRuntime.setThreads(Math.max(1, old));
        assertEquals(Math.max(1, old), DinoRuntime.threads());
        fails("threads", () -> DinoRuntime.setThreads(0));
    }

    @Test
    void quietlyRedirectsSystemOutForTheActionOnly() {
        PrintStream before = System.out;
        assertEquals("x", DinoRuntime.quietly(() -> {
            assertNotSame(before, System.out, "System.out is redirected during the action");
            System.out.println("should not appear");
            return "x";
        }));
        assertSame(before, System.out, "and restored after it");
        assertThrows(IllegalStateException.class, () -> DinoRuntime.quietly(() -> {
            throw new IllegalStateException("fails");
        }));
        assertSame(before, System.out, "restored after a failure too");
    }
}
