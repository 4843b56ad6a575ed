package org.dino4j.core.pretrained.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The unpickler on CPython's own pickles of protocols 0–5 (written by the fixture script) and on bad input. */
class UnpicklerTest {

    private static Object load(byte[] b) throws IOException {
        return new Unpickler(b, (fn, args) -> null, pid -> {
            throw new IllegalStateException("no persistent ids here");
        }, "test").load();
    }

    @Test
    void everyProtocolGivesTheSameValues() throws Exception {
        Path dir = Path.of(getClass().getResource("/pretrained/pickles/protocol0.pkl").toURI()).getParent();
        for (int proto = 0; proto <= 5; proto++) {
            Map<?, ?> v = (Map<?, ?>) load(Files.readAllBytes(dir.resolve("protocol" + proto + ".pkl")));
            String p = "protocol " + proto;
            assertEquals(List.of(0L, 1L, -1L, 255L, 256L, 65535L, 65536L, -(1L << 31), 1L << 31,
                    BigInteger.TWO.pow(70), BigInteger.TWO.pow(70).negate()), v.get("ints"), p);
            assertEquals(List.of(0.5, -1e300, Double.POSITIVE_INFINITY), v.get("floats"), p);
            assertEquals(List.of("", "ascii", "ünï€ode"), v.get("text"), p);
            if (proto >= 3) {
                assertArrayEquals(new byte[] {0, (byte) 0xff, 'a', 'b'}, (byte[]) v.get("bytes"), p);
            } else {
                // protocols 0-2 pickle bytes as a call of _codecs.encode, not interpreted by this bare reader
                assertInstanceOf(Py.Obj.class, v.get("bytes"), p);
            }
            assertSame(Py.None.NONE, v.get("none"), p);
            assertEquals(new Py.Tuple(List.of(true, false)), v.get("bools"), p);
            List<?> tuples = (List<?>) v.get("tuples");
            assertEquals(new Py.Tuple(List.of()), tuples.get(0), p);
            assertEquals(new Py.Tuple(List.of(1L, 2L, 3L, 4L)), tuples.get(4), p);
            List<?> shared = (List<?>) v.get("shared");
            assertSame(shared.get(0), shared.get(1), p + ": memoised objects are shared");
            Py.Obj ns = assertInstanceOf(Py.Obj.class, v.get("obj"), p);
            assertEquals("argparse.Namespace", ns.type().toString(), p);
            assertEquals("vit_small", ns.attribute("arch"), p);
            assertEquals(3L, ns.attribute("n"), p);
            Object set = v.get("set");
            if (set instanceof Set<?> s) {
                assertEquals(Set.of(7L), s, p);
            } else {
                assertEquals("set", ((Py.Obj) set).type().name(), p); // protocols 0-3: a call of (__)builtin(s).set
            }
        }
    }

    @Test
    void malformedPicklesFailWithOneIOException() {
        assertTrue(assertThrows(IOException.class, () -> load(new byte[] {(byte) 0x80, 2, ']', 'q'}))
                .getMessage().contains("truncated"));
        assertTrue(assertThrows(IOException.class, () -> load(new byte[] {(byte) 0x80, 2, (byte) 0xfe, '.'}))
                .getMessage().contains("unsupported pickle opcode 0xfe"));
        assertTrue(assertThrows(IOException.class, () -> load(new byte[] {(byte) 0x80, 2, 'h', 9, '.'}))
                .getMessage().contains("memo key 9"));
        assertTrue(assertThrows(IOException.class, () -> load(new byte[] {(byte) 0x80, 2, 'a', '.'}))
                .getMessage().contains("malformed pickle"));
    }
}
