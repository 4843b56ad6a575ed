package org.dino4j.train.cli;

import org.dino4j.train.NonFiniteLossException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * The {@code dino} command line: {@code dino train}, {@code dino eval knn|linear|tsne|embed}, {@code dino report},
 * {@code dino attention}, {@code dino ablate} ({@code dino spark …} is started by the launcher from dino-spark's job jar,
 * {@link SparkLauncherCommand}).
 * Run it as {@code ./dino …} from the repository root (the launcher script around {@code dino-train-app.jar}).
 *
 * <p>Exit codes: 0 success, 1 unexpected failure, 2 bad usage / invalid config / bad input, 3 non-finite loss.
 */
@Command(name = "dino", mixinStandardHelpOptions = true, versionProvider = DinoCommand.Version.class,
        description = "DINO self-supervised learning (Caron et al. 2021) on the JVM.",
        subcommands = {TrainCommand.class, EvalCommand.class, ReportCommand.class, AttentionCommand.class, AblateCommand.class,
                SparkLauncherCommand.class, CommandLine.HelpCommand.class})
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

    /** Entry point of the runnable jar. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured picocli command line (exception handling and exit codes set). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new DinoCommand());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof NonFiniteLossException) {
                err.println("dino: error: " + ex.getMessage());
                err.flush();
                return EXIT_NON_FINITE;
            }
            if (ex instanceof IllegalArgumentException || ex instanceof IOException
                    || ex instanceof java.io.UncheckedIOException) {
                err.println("dino: error: " + ex.getMessage());
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

    /** The version line. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = DinoCommand.class.getPackage().getImplementationVersion();
            return new String[]{"dino4j " + (v == null ? "dev" : v) + " (DL4J/ND4J 1.0.0-M2.1, Java " + System.getProperty("java.version") + ")"};
        }
    }
}
