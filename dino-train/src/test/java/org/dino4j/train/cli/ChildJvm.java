package org.dino4j.train.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a class of the test classpath in a child JVM (for what needs another process, locale or resource limit). */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * @param env       environment variables to set (e.g. {@code LC_ALL=C})
     * @param shellPrefix a shell command run before exec'ing the JVM (e.g. {@code ulimit -f 8}), or null
     * @param mainClass the class to run
     * @param args      its arguments
     */
    static Process start(Map<String, String> env, String shellPrefix, Class<?> mainClass, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(args);
        if (shellPrefix != null) {
            StringBuilder sb = new StringBuilder(shellPrefix).append("; exec");
            for (String c : cmd) sb.append(" '").append(c.replace("'", "'\\''")).append('\'');
            cmd = List.of("bash", "-c", sb.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Runs {@code dino} with the arguments to the end; returns the exit code and the output. */
    static DinoCommandTest.Result dino(Map<String, String> env, String shellPrefix, List<String> args) throws Exception {
        Process p = start(env, shellPrefix, DinoCommand.class, args);
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("dino " + args + " did not end within 300 s:\n" + out);
        }
        return new DinoCommandTest.Result(p.exitValue(), out, out);
    }

    /** Holds the lock of a run directory until its standard input closes (another process writing the run). */
    public static final class HoldRunLock {
        public static void main(String[] a) throws Exception {
            try (var lock = org.dino4j.train.run.RunLock.acquire(java.nio.file.Path.of(a[0]), "test holder")) {
                System.out.println("locked");
                System.out.flush();
                System.in.read();
            }
        }
    }
}
