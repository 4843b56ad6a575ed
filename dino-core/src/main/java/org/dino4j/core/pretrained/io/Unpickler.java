package org.dino4j.core.pretrained.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A safe reader of Python pickles (protocols 0–5, the opcodes CPython's {@code pickle} emits), enough for the
 * {@code data.pkl} of PyTorch checkpoints. It is a stack machine that only builds values: {@code GLOBAL} gives an
 * inert {@link Py.Global}; {@code REDUCE}/{@code NEWOBJ} call {@link Calls#call} (which interprets an allow-list,
 * e.g. tensor rebuilding) and otherwise record a {@link Py.Obj}. Nothing is ever imported or executed, so a
 * malicious pickle can at worst produce a wrong value or an {@link IOException}.
 */
public final class Unpickler {

    /** Interprets calls of globals; the rest become {@link Py.Obj}. */
    @FunctionalInterface
    public interface Calls {
        /**
         * @param fn the callable
         * @param args its positional arguments
         * @return the value, or null when {@code fn} is not interpreted
         * @throws IOException when the arguments do not fit an interpreted callable
         */
        Object call(Py.Global fn, List<Object> args) throws IOException;
    }

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final Calls calls;
    private final Function<Object, Object> persistentLoad;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * @param data the pickle's bytes
     * @param calls interpreter of allowed calls
     * @param persistentLoad maps a persistent id (PyTorch: a storage tuple) to a value
     * @param source name of the data for error messages
     */
    public Unpickler(byte[] data, Calls calls, Function<Object, Object> persistentLoad, String source) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.calls = calls;
        this.persistentLoad = persistentLoad;
        this.source = source;
    }

    /**
     * Runs the pickle to its {@code STOP}.
     *
     * @return the pickled value
     * @throws IOException on a malformed or truncated pickle, naming the source and byte offset
     */
    public Object load() throws IOException {
        try {
            while (true) {
                int pos = in.position();
                int op = in.get() & 0xff;
                if (op == '.') {
                    return pop();
                }
                step(op, pos);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException(source + ": pickle is truncated");
        } catch (IndexOutOfBoundsException | ClassCastException | IllegalStateException | NumberFormatException e) {
            throw new IOException(source + ": malformed pickle at byte " + in.position() + " (" + e.getMessage() + ")");
        }
    }

    private void step(int op, int pos) throws IOException {
        switch (op) {
            case 0x80 -> in.get(); // PROTO
            case 0x95 -> in.getLong(); // FRAME: the frame's bytes follow inline
            case '(' -> {
                marks.add(stack.size());
                stack.add(MARK);
            }
            case '0' -> pop();
            case '1' -> popMark();
            case '2' -> push(peek());
            case 'N' -> push(Py.None.NONE);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'K' -> push((long) (in.get() & 0xff));
            case 'M' -> push((long) (in.getShort() & 0xffff));
            case 'J' -> push((long) in.getInt());
            case 0x8a -> push(longN(in.get() & 0xff));
            case 0x8b -> push(longN(nonNegative(in.getInt())));
            case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
            case 'I' -> push(parseInt(line()));
            case 'L' -> push(parseInt(stripL(line())));
            case 'F' -> push(parseFloat(line()));
            case 'X' -> push(utf8(nonNegative(in.getInt())));
            case 0x8c -> push(utf8(in.get() & 0xff));
            case 0x8d -> push(utf8(toInt(in.getLong())));
            case 'V' -> push(rawUnicodeEscape(line()));
            case 'S' -> push(unquote(line()));
            case 'T' -> push(latin1(nonNegative(in.getInt())));
            case 'U' -> push(latin1(in.get() & 0xff));
            case 'B' -> push(bytes(nonNegative(in.getInt())));
            case 'C' -> push(bytes(in.get() & 0xff));
            case 0x8e, 0x96 -> push(bytes(toInt(in.getLong())));
            case ')' -> push(new Py.Tuple(List.of()));
            case 't' -> push(new Py.Tuple(popMark()));
            case 0x85 -> push(new Py.Tuple(List.of(pop())));
            case 0x86 -> {
                Object b = pop();
                push(new Py.Tuple(List.of(pop(), b)));
            }
            case 0x87 -> {
                Object c = pop();
                Object b = pop();
                push(new Py.Tuple(List.of(pop(), b, c)));
            }
            case ']' -> push(new ArrayList<>());
            case 'l' -> push(new ArrayList<>(popMark()));
            case 'a' -> {
                Object v = pop();
                asList(peek()).add(v);
            }
            case 'e' -> {
                List<Object> items = popMark();
                asList(peek()).addAll(items);
            }
            case '}' -> push(new LinkedHashMap<>());
            case 'd' -> push(dictOf(popMark()));
            case 's' -> {
                Object v = pop();
                Object k = pop();
                asMap(peek()).put(k, v);
            }
            case 'u' -> {
                List<Object> kv = popMark();
                Map<Object, Object> m = asMap(peek());
                for (int i = 0; i + 1 < kv.size(); i += 2) {
                    m.put(kv.get(i), kv.get(i + 1));
                }
            }
            case 0x8f -> push(new LinkedHashSet<>());
            case 0x90 -> {
                List<Object> items = popMark();
                asSet(peek()).addAll(items);
            }
            case 0x91 -> push(new LinkedHashSet<>(popMark()));
            case 'c' -> push(new Py.Global(line(), line()));
            case 0x93 -> {
                String name = (String) pop();
                push(new Py.Global((String) pop(), name));
            }
            case 'R' -> {
                Py.Tuple args = (Py.Tuple) pop();
                push(call((Py.Global) pop(), args.items()));
            }
            case 0x81 -> {
                Py.Tuple args = (Py.Tuple) pop();
                push(call((Py.Global) pop(), args.items()));
            }
            case 0x92 -> {
                pop(); // kwargs: not needed by any allowed call
                Py.Tuple args = (Py.Tuple) pop();
                push(call((Py.Global) pop(), args.items()));
            }
            case 'o' -> {
                List<Object> items = popMark();
                push(call((Py.Global) items.get(0), items.subList(1, items.size())));
            }
            case 'i' -> {
                Py.Global g = new Py.Global(line(), line());
                push(call(g, popMark()));
            }
            case 'b' -> {
                Object state = pop();
                Object target = peek();
                if (target instanceof Py.Obj o) {
                    o.setState(state);
                }
                // BUILD on tensors (tensor subclass attributes) and dicts is not needed: ignored
            }
            case 'Q' -> push(persistentLoad.apply(pop()));
            case 'P' -> push(persistentLoad.apply(line()));
            case 'q' -> memo.put((long) (in.get() & 0xff), peek());
            case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
            case 'p' -> memo.put(Long.parseLong(line()), peek());
            case 0x94 -> memo.put((long) memo.size(), peek());
            case 'h' -> push(memoGet(in.get() & 0xff));
            case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));
            case 'g' -> push(memoGet(Long.parseLong(line())));
            default -> throw new IOException(source + ": unsupported pickle opcode 0x" + Integer.toHexString(op)
                    + " at byte " + pos);
        }
    }

    private Object call(Py.Global fn, List<Object> args) throws IOException {
        if ((fn.module().equals("copy_reg") || fn.module().equals("copyreg")) && fn.name().equals("_reconstructor")
                && !args.isEmpty() && args.get(0) instanceof Py.Global cls) {
            return new Py.Obj(cls, List.of()); // protocols 0-1: object.__new__(cls), state set by BUILD
        }
        Object v = calls.call(fn, args);
        return v != null ? v : new Py.Obj(fn, args);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw new IllegalStateException("unexpected MARK on the stack");
        }
        return o;
    }

    private Object peek() {
        Object o = stack.get(stack.size() - 1);
        if (o == MARK) {
            throw new IllegalStateException("unexpected MARK on the stack");
        }
        return o;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new IllegalStateException("no MARK on the stack");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) {
            throw new IllegalStateException("memo key " + key + " was never stored");
        }
        return memo.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IllegalStateException("APPEND to a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new IllegalStateException("SETITEM on a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> asSet(Object o) {
        if (o instanceof Set<?> s) {
            return (Set<Object>) s;
        }
        throw new IllegalStateException("ADDITEMS on a " + typeName(o));
    }

    private static String typeName(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName();
    }

    private static Map<Object, Object> dictOf(List<Object> kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.size(); i += 2) {
            m.put(kv.get(i), kv.get(i + 1));
        }
        return m;
    }

    private int nonNegative(int n) {
        if (n < 0) {
            throw new IllegalStateException("negative length " + n);
        }
        return n;
    }

    private static int toInt(long n) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalStateException("length " + n + " out of range");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        if (n > in.remaining()) {
            throw new java.nio.BufferUnderflowException();
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private String line() {
        int start = in.position();
        while (in.get() != '\n') {
            // scan to the newline
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.ISO_8859_1);
    }

    /** Little-endian two's-complement integer of n bytes (LONG1/LONG4). */
    private Object longN(int n) {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        return narrow(new BigInteger(be));
    }

    private static Object parseInt(String s) {
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        return narrow(new BigInteger(s.trim()));
    }

    /** Protocol-0 UNICODE text: latin-1 with Python's raw-unicode-escape \\uXXXX / \\UXXXXXXXX escapes. */
    private static String rawUnicodeEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 5 < s.length() && s.charAt(i + 1) == 'u') {
                b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else if (c == '\\' && i + 9 < s.length() && s.charAt(i + 1) == 'U') {
                b.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 10), 16));
                i += 9;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Protocol-0 float text: repr() of a float, including inf, -inf and nan. */
    private static double parseFloat(String s) {
        return switch (s.trim()) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static String stripL(String s) {
        return s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
    }

    private static Object narrow(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    @Override
    public String toString() {
        return "Unpickler[" + source + ", stack " + Arrays.toString(stack.toArray()) + "]";
    }
}
