package io.flinkhnsw.job.inspect;

import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.operators.HnswIndexOperator;
import io.flinkhnsw.operators.ShardedIndex;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code java -jar flink-hnsw.jar inspect --savepoint PATH}: prints the index operator's keyed state
 * from a savepoint (or a retained checkpoint written without the state changelog), one JSON line per
 * key from {@link IndexStateReader} (the shards of sharded keys after the others, one line per
 * shard), then one summary line. Runs Flink's State Processor API on an
 * in-process MiniCluster of parallelism 1. Input it cannot read ends with one clear line on stderr
 * and exit code 1, not a stack trace.
 */
@Command(name = "inspect", description = "print each key of a savepoint's HNSW index as one JSON line",
        sortOptions = false, mixinStandardHelpOptions = true, showDefaultValues = true)
public final class InspectCommand implements Callable<Integer> {
    @Option(names = "--savepoint", required = true, paramLabel = "PATH",
            description = "savepoint directory (or its _metadata file); a retained checkpoint only if written without the state changelog")
    String savepoint;
    @Option(names = "--key", paramLabel = "K", description = "print only this key, with its ids, vectors and payloads")
    String key;
    @Option(names = "--vectors", description = "print every key's ids, vectors and payloads")
    boolean vectors;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String problem = unreadablePath(savepoint);
        if (problem != null) {
            spec.commandLine().getErr().println("inspect: " + problem);
            return Cli.FAILURE;
        }
        Path tmp = Files.createTempDirectory("flink-hnsw-inspect-");
        try {
            return print(tmp, spec.commandLine().getOut());
        } catch (Exception e) {
            spec.commandLine().getErr().println("inspect: cannot read " + savepoint + ": " + explain(e));
            return Cli.FAILURE;
        } finally {
            FileUtils.deleteDirectoryQuietly(tmp.toFile());
        }
    }

    private int print(Path tmp, PrintWriter out) throws Exception {
        Configuration conf = Configuration.fromMap(Map.of("io.tmp.dirs", tmp.toString()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        // RocksDB reads both a canonical savepoint and RocksDB's own (native, incremental) snapshots
        SavepointReader reader = SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend());
        Totals totals = new Totals();
        read(reader, HnswIndexOperator.UID, false, out, totals);
        if (!read(reader, ShardedIndex.SHARDS_UID, true, out, totals)) {
            spec.commandLine().getErr().println("inspect: no " + ShardedIndex.SHARDS_UID
                    + " operator in this savepoint (written before sharded keys): unsharded keys only");
        }
        out.printf("{\"keys\":%d,\"graph_keys\":%d,\"flat_keys\":%d,\"shard_keys\":%d,\"vectors\":%d,\"tombstones\":%d}%n",
                totals.keys, totals.graphKeys, totals.keys - totals.graphKeys, totals.shardKeys, totals.live,
                totals.tombstones);
        out.flush();
        return key != null && totals.keys == 0 ? Cli.FAILURE : Cli.OK;
    }

    /** Counts over every printed line, shards included. */
    private static final class Totals {
        long keys;
        long graphKeys;
        long shardKeys;
        long live;
        long tombstones;
    }

    /**
     * Prints the keys of the keyed index operator {@code uid} (its shard sub-keys when {@code shards});
     * false if the savepoint has no shard operator.
     */
    private boolean read(SavepointReader reader, String uid, boolean shards, PrintWriter out, Totals totals)
            throws Exception {
        DataStream<KeyReport> reports;
        try {
            reports = reader.readKeyedState(OperatorIdentifier.forUid(uid),
                    new IndexStateReader(key, vectors || key != null, shards));
        } catch (IOException missingOperator) {
            if (!shards) {
                throw missingOperator;
            }
            return false;
        }
        try (CloseableIterator<KeyReport> it = reports.executeAndCollect("flink-hnsw inspect " + uid)) {
            while (it.hasNext()) {
                KeyReport r = it.next();
                out.println(r.json);
                totals.keys++;
                totals.graphKeys += r.graph ? 1 : 0;
                totals.shardKeys += shards ? 1 : 0;
                totals.live += r.live;
                totals.tombstones += r.tombstones;
            }
        }
        return true;
    }

    /** Why a local path cannot be a savepoint, or null (other file systems are left to Flink). */
    static String unreadablePath(String location) {
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            return null;
        }
        Path p = uri.getScheme() == null ? Path.of(location) : Path.of(uri);
        if (!Files.exists(p)) {
            return "no such savepoint: " + location;
        }
        if (Files.isDirectory(p) && !Files.exists(p.resolve("_metadata"))) {
            return location + " has no _metadata file: give a savepoint or chk-N directory";
        }
        return null;
    }

    /** The root cause in one line, with what to do when it is a checkpoint written with the state changelog. */
    static String explain(Throwable e) {
        boolean changelog = false;
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            changelog |= String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("changelog");
            root = t;
        }
        String message = root.getClass().getSimpleName() + ": " + root.getMessage();
        return changelog
                ? "it holds state written with the state changelog, which Flink's State Processor API cannot read"
                        + " (FLINK-37398); take a savepoint (stop-with-savepoint or 'flink savepoint') and inspect that ("
                        + message + ")"
                : message;
    }
}
