package io.flinkhnsw.cli;

import picocli.CommandLine;
import io.flinkhnsw.vector.Metric;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * The rules every command of {@code flink-hnsw.jar} shares, on top of picocli: {@code --name value}
 * and {@code --name=value}, the last of a repeated option wins, enum-like values are case-insensitive,
 * and one error style with the documented exit codes: {@value #OK} done, {@value #FAILURE} the run
 * failed, {@value #USAGE} bad options or arguments (an unknown option is reported with picocli's
 * suggestions). An {@link IllegalArgumentException} thrown by a command counts as a usage error: it
 * means the options given cannot work (a missing file, conflicting values), and its message says why.
 */
public final class Cli {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private Cli() {
    }

    /** {@code command} (a {@code @Command} object) with the shared rules. */
    public static CommandLine of(Object command) {
        return configure(new CommandLine(command));
    }

    /** Applies the shared rules to {@code cl} and every subcommand it has now: call after adding subcommands. */
    public static CommandLine configure(CommandLine cl) {
        cl.setOverwrittenOptionsAllowed(true);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Metric.class, Cli::metric);
        cl.setParameterExceptionHandler(Cli::usageError);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> failed(e, commandLine));
        abbreviateSynopsis(cl);
        return cl;
    }

    private static void abbreviateSynopsis(CommandLine cl) {
        cl.getCommandSpec().usageMessage().abbreviateSynopsis(true);
        cl.getSubcommands().values().forEach(Cli::abbreviateSynopsis);
    }

    private static Metric metric(String value) {
        try {
            return Metric.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandName() + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
        err.flush();
        return USAGE;
    }

    private static int failed(Exception e, CommandLine cl) {
        PrintWriter err = cl.getErr();
        if (e instanceof IllegalArgumentException) {
            err.println(cl.getCommandName() + ": " + e.getMessage());
            err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
            err.flush();
            return USAGE;
        }
        err.println(cl.getCommandName() + " failed: " + e.getMessage());
        if (e instanceof IllegalStateException || e instanceof IOException || e instanceof UncheckedIOException) {
            // the message says what went wrong; causes are kept for the details
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                err.println("  caused by: " + c);
            }
        } else {
            e.printStackTrace(err);
        }
        err.println("(Flink and Kafka warnings are in " + System.getProperty("java.io.tmpdir") + "/flink-hnsw.log)");
        err.flush();
        return FAILURE;
    }
}
