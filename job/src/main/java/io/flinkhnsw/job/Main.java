package io.flinkhnsw.job;

import io.flinkhnsw.bench.BenchCommand;
import io.flinkhnsw.bench.SyntheticSetCommand;
import io.flinkhnsw.bench.plot.PlotCommand;
import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.job.inspect.InspectCommand;
import io.flinkhnsw.job.local.LocalCommand;
import io.flinkhnsw.job.tools.ProduceCommand;
import io.flinkhnsw.job.tools.VerifyCommand;
import io.flinkhnsw.operators.bench.StateBench;
import io.flinkhnsw.operators.bench.TenantBench;
import io.flinkhnsw.operators.bench.TierBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Entry point of {@code java -jar flink-hnsw.jar <command> [options]}: relaunches itself with the
 * Vector API module when a command needs it (see {@link ChildJvm}), then dispatches to the command
 * through one picocli command line with the shared rules of {@link Cli}. A new command is a
 * {@code @Command} class implementing {@code Callable<Integer>} (options as fields, shared option
 * groups as {@code @Mixin}s such as {@link io.flinkhnsw.job.cli.JobOptions}), listed in
 * {@link #commandLine()}; see docs/ARCHITECTURE.md, "Command line".
 */
@Command(name = "java -jar flink-hnsw.jar", mixinStandardHelpOptions = true,
        description = "A streaming HNSW vector index on Apache Flink. Exit codes: 0 ok, 1 failure, 2 usage.",
        footer = "Run '<command> --help' for a command's options.")
public final class Main implements Callable<Integer> {
    /** Commands that run without the Vector API, so they skip the relaunch. */
    private static final Set<String> NO_RELAUNCH = Set.of("jvm-flags", "plot", "synthetic-set", "help", "-h", "--help");

    @Spec
    CommandSpec spec;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && !NO_RELAUNCH.contains(args[0]) && ChildJvm.needed()) {
            System.exit(ChildJvm.run(args));
        }
        ChildJvm.exitWithParent();
        System.exit(commandLine().execute(args));
    }

    /** Every command of the jar, with the shared rules. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main())
                .addSubcommand(new LocalCommand())
                .addSubcommand(new ProduceCommand())
                .addSubcommand(new VerifyCommand())
                .addSubcommand(new InspectCommand())
                .addSubcommand(new ClusterJob())
                .addSubcommand(new BenchCommand())
                .addSubcommand(new StateBench())
                .addSubcommand(new TenantBench())
                .addSubcommand(new TierBench())
                .addSubcommand(new PlotCommand())
                .addSubcommand(new SyntheticSetCommand())
                .addSubcommand(new JvmFlags())
                .addSubcommand(new CommandLine.HelpCommand());
        String version = "flink-hnsw " + JvmFlags.buildProperty("version");
        cl.getCommandSpec().version(version);
        cl.getSubcommands().values().forEach(c -> c.getCommandSpec().version(version));
        return Cli.configure(cl);
    }

    /** No command: the list of commands, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Cli.USAGE;
    }
}
