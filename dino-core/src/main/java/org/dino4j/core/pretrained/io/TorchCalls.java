package org.dino4j.core.pretrained.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The calls a PyTorch checkpoint's pickle may make that {@link CheckpointFile} interprets (everything else stays an
 * inert {@link Py.Obj}): tensor and parameter rebuilding from a storage, {@code collections.OrderedDict}, sets,
 * and the {@code _codecs.encode} form of bytes in protocol-2 pickles.
 */
final class TorchCalls {
    private TorchCalls() {
    }

    /**
     * A tensor storage named by a persistent id.
     *
     * @param dtype element type of the storage class
     * @param read reader of its bytes
     * @param where file and entry, for messages
     */
    record Storage(DType dtype, TensorRef.Storage read, String where) {
    }

    static Object call(Py.Global fn, List<Object> args) throws IOException {
        String f = fn.toString();
        switch (f) {
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (args.size() < 4 || !(args.get(0) instanceof Storage s)) {
                    throw new IOException(f + " called with unexpected arguments " + args);
                }
                long offset = asLong(args.get(1));
                long[] size = longs(args.get(2));
                long[] stride = longs(args.get(3));
                return new TensorRef(s.dtype(), size, stride, offset, s.read(), s.where());
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                return args.isEmpty() ? null : args.get(0);
            }
            case "collections.OrderedDict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (!args.isEmpty() && args.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        if (p instanceof Py.Tuple t && t.size() == 2) {
                            m.put(t.get(0), t.get(1));
                        } else if (p instanceof List<?> l && l.size() == 2) {
                            m.put(l.get(0), l.get(1));
                        }
                    }
                }
                return m;
            }
            case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset" -> {
                return args.isEmpty() ? new LinkedHashSet<>() : new LinkedHashSet<>((List<?>) args.get(0));
            }
            case "_codecs.encode" -> {
                if (!args.isEmpty() && args.get(0) instanceof String s) {
                    return s.getBytes(StandardCharsets.ISO_8859_1);
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static long asLong(Object o) throws IOException {
        if (o instanceof Long l) {
            return l;
        }
        throw new IOException("expected an integer, got " + o);
    }

    private static long[] longs(Object o) throws IOException {
        if (!(o instanceof Py.Tuple t)) {
            throw new IOException("expected a tuple of integers, got " + o);
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(t.get(i));
        }
        return out;
    }
}
