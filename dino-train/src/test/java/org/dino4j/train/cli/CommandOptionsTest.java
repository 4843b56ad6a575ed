package org.dino4j.train.cli;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every option a command shows in its {@code --help} is read by the command: the fields picocli fills are compared
 * with the fields the command's code reads, following the calls from its {@code call()} through the command-line
 * classes (their bytecode, read with ASM). An option listed but never read (e.g. one inherited from shared options
 * that this command ignores) fails; so does a visible option missing from the help text.
 */
class CommandOptionsTest {
    private static final String CLI = "org/dino4j/train/cli/";

    @Test
    void everyOptionInTheHelpIsReadByItsCommand() throws Exception {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (CommandLine cl : commands(DinoCommand.commandLine())) {
            Object cmd = cl.getCommand();
            if (!(cmd instanceof java.util.concurrent.Callable<?>)) continue;
            String name = cl.getCommandSpec().qualifiedName();
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            Set<String> read = fieldsRead(cmd.getClass());
            for (OptionSpec o : cl.getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) continue;
                if (!o.hidden() && !help.contains(o.longestName())) problems.add(name + ": " + o.longestName() + " is not in --help");
                if (!(o.userObject() instanceof Field f)) {
                    problems.add(name + ": " + o.longestName() + " is not bound to a field");
                    continue;
                }
                checked++;
                if (!read.contains(key(f))) problems.add(name + ": " + o.longestName() + " (" + key(f) + ") is never read");
            }
        }
        assertTrue(checked > 40, "options checked: " + checked);
        assertEquals(List.of(), problems);
    }

    @Test
    void theCheckFindsAnOptionThatIsNeverRead() throws Exception {
        Set<String> read = fieldsRead(Unused.class);
        assertTrue(read.contains(key(Unused.class.getDeclaredField("used"))));
        assertFalse(read.contains(key(Unused.class.getDeclaredField("unused"))));
    }

    /** A command with an option it ignores. */
    static final class Unused implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Option(names = "--used") int used;
        @CommandLine.Option(names = "--unused") int unused;

        @Override
        public Integer call() {
            return used;
        }
    }

    private static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> out = new ArrayList<>();
        Deque<CommandLine> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            CommandLine c = todo.pop();
            out.add(c);
            todo.addAll(c.getSubcommands().values());
        }
        return out;
    }

    private static String key(Field f) {
        return f.getDeclaringClass().getName().replace('.', '/') + "." + f.getName();
    }

    /** Fields (declaring class + name) read by code reachable from {@code call()} within the command-line classes. */
    static Set<String> fieldsRead(Class<?> command) throws IOException {
        Set<String> read = new HashSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String[]> todo = new ArrayDeque<>();
        todo.add(new String[]{command.getName().replace('.', '/'), "call", null});
        while (!todo.isEmpty()) {
            String[] m = todo.pop();
            if (!seen.add(m[0] + "." + m[1] + m[2])) continue;
            for (String owner = m[0]; owner != null; owner = superName(owner)) {
                Map<String, List<String[]>> body = scan(owner, m[1], m[2], read);
                if (body == null) continue; // not declared here: look in the superclass
                body.getOrDefault("calls", List.of()).forEach(todo::add);
                break;
            }
        }
        return read;
    }

    private static final Map<String, byte[]> CLASSES = new LinkedHashMap<>();

    private static byte[] bytes(String internalName) throws IOException {
        byte[] b = CLASSES.get(internalName);
        if (b == null) {
            try (InputStream in = CommandOptionsTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
                if (in == null) return null;
                b = in.readAllBytes();
            }
            CLASSES.put(internalName, b);
        }
        return b;
    }

    private static String superName(String internalName) throws IOException {
        byte[] b = bytes(internalName);
        return b == null ? null : new ClassReader(b).getSuperName();
    }

    /**
     * Scans the methods {@code name}{@code desc} (desc null: any) of a class: adds the fields they read (resolved to
     * their declaring class) to {@code read} and returns the calls into command-line classes; null if not declared.
     */
    private static Map<String, List<String[]>> scan(String owner, String name, String desc, Set<String> read) throws IOException {
        byte[] b = bytes(owner);
        if (b == null) return null;
        List<String[]> calls = new ArrayList<>();
        boolean[] found = {false};
        new ClassReader(b).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String n, String d, String sig, String[] ex) {
                if (!n.equals(name) || (desc != null && !desc.equals(d)) || (access & Opcodes.ACC_ABSTRACT) != 0) return null;
                found[0] = true;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitFieldInsn(int op, String o, String f, String fd) {
                        if (op == Opcodes.GETFIELD || op == Opcodes.GETSTATIC) read.add(declaring(o, f) + "." + f);
                    }

                    @Override
                    public void visitMethodInsn(int op, String o, String mn, String md, boolean itf) {
                        if (o.startsWith(CLI)) calls.add(new String[]{o, mn, md});
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String n2, String d2, Handle bsm, Object... args) {
                        for (Object a : args) {
                            if (a instanceof Handle h && h.getOwner().startsWith(CLI)) calls.add(new String[]{h.getOwner(), h.getName(), h.getDesc()});
                        }
                    }
                };
            }
        }, 0);
        return found[0] ? Map.of("calls", calls) : null;
    }

    private static String declaring(String owner, String field) {
        try {
            for (Class<?> c = Class.forName(owner.replace('/', '.'), false, CommandOptionsTest.class.getClassLoader()); c != null;
                 c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) if (f.getName().equals(field)) return c.getName().replace('.', '/');
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // a class outside the test's reach: keep the owner as written
        }
        return owner;
    }
}
