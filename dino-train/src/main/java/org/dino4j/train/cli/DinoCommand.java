package org.dino4j.train.cli;

import org.dino4j.train.NonFiniteLossException;
import org.dino4j.train.run.RuntimeOverrides;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.dino4j.core.io.IoErrors;
import java.io.PrintWriter;

/**
 * The {@code dino} command line: {@code dino train}, {@code dino eval knn|linear|tsne|embed}, {@code dino report},
 * {@code dino attention}, {@code dino ablate}, and for pretrained checkpoints {@code dino embed} and {@code dino export}
 * ({@code dino spark …} is started by the launcher from dino-spark's job jar, {@link SparkLauncherCommand}).
 * Run it as {@code ./dino …} from the repository root (the launcher script around {@code dino-train-app.jar}).
 *
 * <p>Exit codes: 0 success, 1 unexpected failure, 2 bad usage / invalid config / bad input, 3 non-finite loss.
 */
@Command(name = "dino", mixinStandardHelpOptions = true, versionProvider = DinoCommand.Version.class,
        description = "DINO self-supervised learning (Caron et al. 2021) on the JVM.",
        subcommands = {TrainCommand.class, EvalCommand.class, ReportCommand.class, AttentionCommand.class, AblateCommand.class,
                EmbedCommand.class, ExportCommand.class, SparkLauncherCommand.class,
                CommandLine.HelpCommand.class})
public final class DinoCommand implements Runnable {
    /** Exit code of bad usage, an invalid config or bad input. */
    public static final int EXIT_INPUT = 2;
    /** Exit code of a non-finite loss. */
    public static final int EXIT_NON_FINITE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Entry point of the runnable jar: applies the {@code -Ddino4j.*} overrides ({@link RuntimeOverrides}), then runs. */
    public static void main(String[] args) {
        try {
            RuntimeOverrides.applyProcessWide();
        } catch (IllegalArgumentException e) {
            System.err.println("dino: error: " + e.getMessage());
            System.exit(EXIT_INPUT);
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured picocli command line (exception handling and exit codes set). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new DinoCommand());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("dino: error: " + ex.getMessage().replace('\n', ' ').trim() + " (see: " + qualifiedName(cmd) + " --help)");
            err.flush();
            return EXIT_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof NonFiniteLossException) {
                err.println("dino: error: " + ex.getMessage());
                err.flush();
                return EXIT_NON_FINITE;
            }
            String user = userError(ex);
            if (user != null) {
                err.println("dino: error: " + user);
                err.flush();
                return EXIT_INPUT;
            }
            err.println("dino: unexpected failure: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return 1;
        });
        return cl;
    }

    /**
     * The one-line message of a user error (bad input, a file-system problem), or null for an unexpected failure:
     * file-system exceptions are translated ("permission denied", "exists and is a file", "no space left on device").
     */
    static String userError(Throwable ex) {
        if (ex instanceof IllegalArgumentException) return oneLine(ex.getMessage());
        if (ex instanceof IOException || ex instanceof UncheckedIOException) return oneLine(IoErrors.describe(ex));
        return null;
    }

    private static String oneLine(String m) {
        return m == null ? "invalid input" : m.replace('\n', ' ').trim();
    }

    private static String qualifiedName(CommandLine cmd) {
        String name = cmd.getCommandName();
        for (CommandLine p = cmd.getParent(); p != null; p = p.getParent()) name = p.getCommandName() + " " + name;
        return name;
    }

    /** The version line. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = DinoCommand.class.getPackage().getImplementationVersion();
            return new String[]{"dino4j " + (v == null ? "dev" : v) + " (DL4J/ND4J 1.0.0-M2.1, Java " + System.getProperty("java.version") + ")"};
        }
    }
}
