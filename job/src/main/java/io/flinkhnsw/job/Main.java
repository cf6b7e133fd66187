package io.flinkhnsw.job;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Entry point of {@code java -jar flink-hnsw.jar <command> [options]}: relaunches itself with the
 * Vector API module when needed (see {@link ChildJvm}) and dispatches to a command's
 * {@code main(String[])} by class name, so a command whose class is not built yet fails with a
 * clear message instead of breaking the build.
 */
public final class Main {
    /** command -> (class, one-line help). */
    private static final Map<String, String[]> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("local", new String[] {"io.flinkhnsw.job.local.LocalCommand",
                "embedded Kafka + Flink MiniCluster: stream a data set in, query it, print a summary (--serve keeps it running)"});
        COMMANDS.put("produce", new String[] {"io.flinkhnsw.job.tools.ProduceCommand",
                "write fvecs vectors (and queries) as JSON events to a Kafka topic"});
        COMMANDS.put("verify", new String[] {"io.flinkhnsw.job.tools.VerifyCommand",
                "read results with read_committed and compare them with a no-failure reference run"});
        COMMANDS.put("cluster-job", new String[] {"io.flinkhnsw.job.ClusterJob",
                "run the Kafka job in this JVM (what flink run executes)"});
        // Core benchmark (state module, lead): io.flinkhnsw.bench.BenchCommand.main(rest).
        COMMANDS.put("bench", new String[] {"io.flinkhnsw.bench.BenchCommand",
                "HNSW core benchmark: recall and speed without Flink"});
        COMMANDS.put("synthetic-set", new String[] {"io.flinkhnsw.bench.SyntheticSetCommand",
                "write a clustered synthetic set (base, queries, exact groundtruth) as fvecs/ivecs for bench"});
        // State benchmark (operators module): io.flinkhnsw.operators.bench.StateBench.main(rest).
        COMMANDS.put("state-bench", new String[] {"io.flinkhnsw.operators.bench.StateBench",
                "HNSW graph on RocksDB state benchmark"});
        COMMANDS.put("jvm-flags", new String[] {"io.flinkhnsw.job.JvmFlags",
                "print the JVM flags Flink and the Vector API need"});
    }

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            usage();
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] entry = COMMANDS.get(args[0]);
        if (entry == null) {
            System.err.println("unknown command '" + args[0] + "'");
            usage();
            System.exit(2);
        }
        if (!args[0].equals("jvm-flags") && ChildJvm.needed()) {
            System.exit(ChildJvm.run(args));
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Method main;
        try {
            main = Class.forName(entry[0]).getMethod("main", String[].class);
        } catch (ClassNotFoundException e) {
            System.err.println("command '" + args[0] + "' is not available in this build (" + entry[0] + " missing)");
            System.exit(2);
            return;
        }
        try {
            main.invoke(null, (Object) rest);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException) {
                // Bad options or input files: the message says what to fix, a stack trace would only hide it.
                System.err.println("error: " + e.getCause().getMessage());
                System.exit(2);
            }
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    private static void usage() {
        StringBuilder sb = new StringBuilder("usage: java -jar flink-hnsw.jar <command> [options]\n\ncommands:\n");
        COMMANDS.forEach((name, e) -> sb.append(String.format("  %-12s %s%n", name, e[1])));
        sb.append("\n<command> --help lists a command's options.");
        System.err.println(sb);
    }
}
