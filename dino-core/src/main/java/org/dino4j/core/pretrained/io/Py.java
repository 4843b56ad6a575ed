package org.dino4j.core.pretrained.io;

import java.util.List;
import java.util.Map;

/**
 * Inert Java forms of the Python values a checkpoint's pickle may hold besides numbers, strings, lists and dicts
 * (which become {@link Long}/{@link java.math.BigInteger}, {@link Double}, {@link String}, {@code byte[]},
 * {@link java.util.List} and {@link java.util.LinkedHashMap}). No Python code is ever run: a class or function
 * reference stays a {@link Global}, and calling one that is not on the reader's short allow-list (tensor
 * rebuilding, {@code OrderedDict}, …) gives an {@link Obj} that only records what the pickle said.
 */
public final class Py {
    private Py() {
    }

    /** Python's {@code None}. */
    public enum None {
        /** The single instance. */
        NONE
    }

    /**
     * A tuple.
     *
     * @param items the elements
     */
    public record Tuple(List<Object> items) {
        /** Copies the list (unmodifiable). */
        public Tuple {
            items = List.copyOf(items.stream().map(o -> o == null ? None.NONE : o).toList());
        }

        /**
         * @param i index
         * @return element i
         */
        public Object get(int i) {
            return items.get(i);
        }

        /** @return the number of elements */
        public int size() {
            return items.size();
        }
    }

    /**
     * A reference to a Python class or function ({@code module.name}), never resolved to code.
     *
     * @param module module path, e.g. {@code argparse}
     * @param name attribute name, e.g. {@code Namespace}
     */
    public record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /**
     * An object the pickle built by calling a {@link Global} that is not interpreted (e.g. {@code argparse.Namespace}
     * in DINO's training checkpoints): the callable, its arguments and the state set by {@code BUILD}.
     */
    public static final class Obj {
        private final Global type;
        private final List<Object> args;
        private Object state;

        /**
         * @param type the class or function called
         * @param args the call's arguments
         */
        public Obj(Global type, List<Object> args) {
            this.type = type;
            this.args = List.copyOf(args.stream().map(o -> o == null ? None.NONE : o).toList());
        }

        /** @return the class or function called */
        public Global type() {
            return type;
        }

        /** @return the arguments */
        public List<Object> args() {
            return args;
        }

        /** @return the state given by {@code BUILD} (a dict for plain objects such as {@code Namespace}), or null */
        public Object state() {
            return state;
        }

        /**
         * Attribute {@code name} of the object's dict state (e.g. {@code args.arch} of a DINO checkpoint).
         *
         * @param name attribute
         * @return the value, or null when absent
         */
        public Object attribute(String name) {
            return state instanceof Map<?, ?> m ? m.get(name) : null;
        }

        void setState(Object s) {
            state = s;
        }

        @Override
        public String toString() {
            return type + "(…)";
        }
    }
}
