package io.flinkhnsw.operators.bench;

import io.flinkhnsw.bench.CoreBuild;
import io.flinkhnsw.bench.JsonLine;
import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.operators.NetworkSettings;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.ShardedIndex;
import io.flinkhnsw.operators.StateBackendSettings;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Measures the keyed HNSW operator on RocksDB through a local MiniCluster with incremental
 * checkpoints: (a) ingest rate of one key through the operator, next to the core single-thread
 * insert rate ({@link CoreBuild}) on the same data and parameters in this JVM; (b) the size of the
 * incremental checkpoint after indexing {@code --extra} more vectors, against the full state size,
 * both from Flink's checkpoint statistics ({@code checkpointedSize} = bytes that checkpoint
 * uploaded, {@code stateSize} = all state it references); (c) restore: time from the restored job
 * being RUNNING to its first query answered, whether that answer equals the pre-restore one, and
 * how long the operator took to bring the key back into memory from RocksDB (its reload metrics:
 * wall time, and the task thread's CPU time, which is what the load cost on a busy machine); then
 * the same restore again from the restored job's next checkpoint ({@code restore-again}), a load in
 * a JVM that has run the load code before, as a key's cache miss in a running TaskManager is.
 * Prints one JSON object per line to stdout, progress to stderr.
 */
@Command(name = "state-bench", description = "HNSW graph on RocksDB state benchmark: ingest, checkpoint sizes, restore",
        sortOptions = false, mixinStandardHelpOptions = true, showDefaultValues = true)
public final class StateBench implements Callable<Integer> {
    private static final String KEY = "bench";
    private static final long TIMEOUT_MS = 30 * 60_000L;

    @Mixin
    BenchArgs a;

    @Override
    public Integer call() throws Exception {
        a.validate();
        BenchArgs.Data data = a.load();
        int n = data.base().length;
        int dim = data.base()[0].length;
        log("data %s: %d + %d vectors of dim %d", a.dataName(), n, data.extra().length, dim);

        log("core insert of %d vectors", n);
        double coreRate = CoreBuild.run(a.config(), data.base(), CoreBuild.DEFAULT_JIT_WARMUP, line -> log("core %s", line))
                .insertsPerSecond();
        System.out.println(common("core-insert", a, n, dim).put("vectors_per_s", coreRate, 4));

        Path work = a.workDir != null ? Files.createDirectories(a.workDir) : Files.createTempDirectory("state-bench");
        Configuration conf = clusterConfig(work, a.changelog, a.checkpointInterval);
        CapturedMetrics.enable(conf);
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(1).build())) {
            cluster.start();
            JobID first = submit(cluster, conf, settings(a), 1, null);
            awaitStatus(cluster, first, JobStatus.RUNNING);

            log("ingesting %d vectors through the operator", n);
            BenchSource.BATCHES.add(append(upserts(data.base(), 0), query("ingest-done", data.probe())));
            long ingestDone = awaitResult(cluster, first, "ingest-done");
            double seconds = (ingestDone - BenchSource.firstEmitMillis) / 1000.0;
            System.out.println(common("operator-ingest", a, n, dim).put("seconds", seconds, 4)
                    .put("vectors_per_s", n / seconds, 4).put("core_vectors_per_s", coreRate, 4)
                    .put("ratio_to_core", n / seconds / coreRate, 4));

            CompletedCheckpointStats full = awaitCheckpointTriggeredAfter(cluster, first, ingestDone);
            log("checkpoint %d after ingest: state %d B, uploaded %d B", full.getCheckpointId(), full.getStateSize(),
                    full.getCheckpointedSize());
            // several rounds: without the changelog, a RocksDB compaction lands in some checkpoints and not others
            CompletedCheckpointStats inc = full;
            long[] uploaded = new long[a.rounds];
            int indexed = n;
            for (int round = 0; round < a.rounds; round++) {
                float[][] batch = java.util.Arrays.copyOfRange(data.extra(), round * a.extra, (round + 1) * a.extra);
                String done = round == a.rounds - 1 ? "probe-before" : "round-" + round;
                long previous = inc.getCheckpointId();
                BenchSource.BATCHES.add(append(upserts(batch, indexed), query(done, data.probe())));
                indexed += batch.length;
                inc = awaitCheckpointTriggeredAfter(cluster, first, awaitResult(cluster, first, done));
                // a checkpoint whose barrier came while the batch was processed holds part of it: count them all
                uploaded[round] = checkpointedSince(cluster, first, previous, inc.getCheckpointId());
                System.out.println(common("checkpoint", a, indexed, dim).put("round", round).put("extra", a.extra)
                        .put("full_checkpoint_id", full.getCheckpointId())
                        .put("full_state_bytes", full.getStateSize())
                        .put("incremental_checkpoint_id", inc.getCheckpointId())
                        .put("incremental_checkpoints", inc.getCheckpointId() - previous)
                        .put("incremental_checkpointed_bytes", uploaded[round])
                        .put("state_bytes_now", inc.getStateSize())
                        .put("incremental_ratio", uploaded[round] / (double) full.getStateSize(), 4));
            }
            long[] sorted = uploaded.clone();
            java.util.Arrays.sort(sorted);
            System.out.println(common("checkpoint-summary", a, indexed, dim).put("extra", a.extra)
                    .put("rounds", a.rounds).put("full_state_bytes", full.getStateSize())
                    .put("median_incremental_bytes", sorted[sorted.length / 2])
                    .put("max_incremental_bytes", sorted[sorted.length - 1])
                    .put("median_ratio", sorted[sorted.length / 2] / (double) full.getStateSize(), 4)
                    .put("max_ratio", sorted[sorted.length - 1] / (double) full.getStateSize(), 4)
                    .put("measure", "Flink checkpoint stats: checkpointedSize (bytes a checkpoint uploaded) summed"
                            + " over the checkpoints from the one before each batch to the first one triggered after"
                            + " it / stateSize of the first checkpoint after the initial ingest"));

            String path = Objects.requireNonNull(inc.getExternalPath(), "retained checkpoint path");
            cluster.cancelJob(first).get();
            awaitStatus(cluster, first, JobStatus.CANCELED);

            QueryResult before = BenchSink.RESULTS.get("probe-before");
            String again = restore(cluster, conf, path, "restore", before, indexed, dim, data);
            // the same load in a JVM that has run it once, as a cache miss in a running TaskManager meets it
            restore(cluster, conf, again, "restore-again", before, indexed, dim, data);
        }
        return Cli.OK;
    }

    /**
     * Restores a job from {@code path}, asks the probe query and prints the {@code bench} line: time to
     * the first answer, the key's reload metrics, whether the answer equals {@code before}. Returns the
     * path of the restored job's first checkpoint after that answer; the job is cancelled.
     */
    private String restore(MiniCluster cluster, Configuration conf, String path, String bench, QueryResult before,
            int indexed, int dim, BenchArgs.Data data) throws Exception {
        log("%s: restoring from %s", bench, path);
        BenchSource.firstEmitMillis = 0;
        CapturedMetrics.clear();
        long submitted = System.currentTimeMillis();
        JobID job = submit(cluster, conf, settings(a), 1, path);
        // queued once the new job's source exists: only the latest job's source takes batches
        BenchSource.BATCHES.add(new IndexEvent[] {query(bench, data.probe())});
        long answered = awaitResult(cluster, job, bench);
        long running = awaitStatus(cluster, job, JobStatus.RUNNING);
        QueryResult after = BenchSink.RESULTS.get(bench);
        double reloadMicros = CapturedMetrics.sum("reloadMicros");
        double reloadedVectors = CapturedMetrics.sum("reloadedVectors");
        double reloadCpuMicros = CapturedMetrics.sum("reloadCpuMicros");
        System.out.println(common(bench, a, indexed, dim)
                .put("running_to_first_answer_ms", answered - running)
                .put("submit_to_first_answer_ms", answered - submitted)
                .put("index_size", after.indexSize)
                .put("reload_ms", reloadMicros / 1000, 1)
                .put("reload_vectors_per_s", reloadedVectors / (reloadMicros / 1e6), 0)
                .put("reload_cpu_ms", reloadCpuMicros / 1000, 1)
                .put("reload_vectors_per_cpu_s", reloadedVectors / (reloadCpuMicros / 1e6), 0)
                .put("identical_answer", before.neighbours.equals(after.neighbours)
                        && before.indexSize == after.indexSize));
        String next = Objects.requireNonNull(awaitCheckpointTriggeredAfter(cluster, job, answered).getExternalPath(),
                "retained checkpoint path");
        cluster.cancelJob(job).get();
        awaitStatus(cluster, job, JobStatus.CANCELED);
        return next;
    }

    private static JsonLine common(String bench, BenchArgs a, int n, int dim) {
        return new JsonLine().put("bench", bench).put("data", a.dataName()).put("vectors", n).put("dim", dim)
                .put("metric", a.metric.cliName()).put("m", a.m).put("ef_construction", a.efConstruction)
                .put("checkpoint_interval_ms", a.checkpointInterval.toMillis()).put("changelog", a.changelog);
    }

    private static IndexSettings settings(BenchArgs a) {
        return IndexSettings.builder().defaultConfig(a.config()).build();
    }

    /** A one-TaskManager MiniCluster configuration with the job's state backend and checkpoints under {@code work}. */
    static Configuration clusterConfig(Path work, boolean changelog, java.time.Duration checkpointInterval) {
        Configuration conf = StateBackendSettings.apply(NetworkSettings.apply(new Configuration()),
                work.resolve("checkpoints"), work.resolve("changelog"), changelog);
        conf.setString("execution.checkpointing.interval", checkpointInterval.toMillis() + "ms");
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        // checkpoints go on until the cancel: keep the one the restore is measured from
        conf.setString("execution.checkpointing.num-retained", "100");
        conf.setString("taskmanager.memory.managed.size", "256m");
        // any free port: several benchmarks (or test runs) may share the machine
        conf.setString("rest.bind-port", "0");
        // a failure ends the measurement with its cause instead of restarting until the timeout
        conf.setString("restart-strategy.type", "none");
        return conf;
    }

    /** Submits source, operator and sink at {@code parallelism}, restored from {@code restorePath} unless null. */
    static JobID submit(MiniCluster cluster, Configuration conf, IndexSettings settings, int parallelism,
            String restorePath) throws Exception {
        return submit(cluster, conf, settings, parallelism, restorePath, false);
    }

    /**
     * As above; with {@code updates}, the standing queries' updates go to an {@link UpdateSink}, and
     * records are passed on without copies as the job passes them ({@code enableObjectReuse}).
     */
    static JobID submit(MiniCluster cluster, Configuration conf, IndexSettings settings, int parallelism,
            String restorePath, boolean updates) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(KeyGroupRangeAssignment.computeDefaultMaxParallelism(parallelism));
        // as the job: Flink's 100 ms would add up to that per hop to the last answer of a phase
        env.setBufferTimeout(10);
        ShardedIndex index = ShardedIndex.apply(env.addSource(new BenchSource(), "bench-source",
                        TypeInformation.of(IndexEvent.class)).setParallelism(1).uid("bench-source").keyBy(e -> e.key),
                settings, false); // throughput, as under exactly-once: answers wait for the buffer timeout
        index.results().addSink(new BenchSink()).uid("bench-sink");
        if (updates) {
            env.getConfig().enableObjectReuse();
            index.updates().addSink(new UpdateSink()).uid("bench-updates-sink");
        }
        StreamGraph graph = env.getStreamGraph();
        if (restorePath != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restorePath, false,
                    conf.get(StateRecoveryOptions.RESTORE_MODE)));
        }
        return cluster.submitJob(graph).get().getJobID();
    }

    /** Waits for the job to reach {@code status}; returns when it did (epoch ms, from the job's own status timestamps). */
    static long awaitStatus(MiniCluster cluster, JobID job, JobStatus status) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
            if (graph.getState() == status || graph.getStatusTimestamp(status) > 0) {
                return graph.getStatusTimestamp(status);
            }
            failIfEnded(graph, "job status " + status);
            Thread.sleep(10);
        }
        throw new IllegalStateException("timed out waiting for job status " + status);
    }

    /** Waits for the answer to {@code queryId}; returns when it arrived (epoch ms). Fails at once if the job ends first. */
    static long awaitResult(MiniCluster cluster, JobID job, String queryId) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        for (int polls = 0; System.currentTimeMillis() < deadline; polls++) {
            Long at = BenchSink.ARRIVED.get(queryId);
            if (at != null) {
                return at;
            }
            if (polls % 50 == 0) {
                failIfEnded(cluster.getExecutionGraph(job).get(), "the answer to " + queryId);
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("timed out waiting for the answer to " + queryId);
    }

    private static void failIfEnded(AccessExecutionGraph graph, String awaited) {
        if (graph.getState().isGloballyTerminalState()) {
            String cause = graph.getFailureInfo() == null ? "" : ": " + graph.getFailureInfo().getExceptionAsString();
            throw new IllegalStateException("job " + graph.getJobID() + " ended " + graph.getState() + " waiting for "
                    + awaited + cause);
        }
    }

    static CompletedCheckpointStats awaitCheckpointTriggeredAfter(MiniCluster cluster, JobID job, long millis)
            throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
            var found = graph.getCheckpointStatsSnapshot().getHistory().getCheckpoints().stream()
                    .filter(c -> c.getStatus() == CheckpointStatsStatus.COMPLETED && c.getTriggerTimestamp() > millis)
                    .min(Comparator.comparingLong(AbstractCheckpointStats::getCheckpointId));
            if (found.isPresent()) {
                return (CompletedCheckpointStats) found.get();
            }
            failIfEnded(graph, "a checkpoint");
            Thread.sleep(50);
        }
        throw new IllegalStateException("timed out waiting for a checkpoint");
    }

    /** Bytes uploaded by the completed checkpoints with ids in (after, upTo]. */
    private static long checkpointedSince(MiniCluster cluster, JobID job, long after, long upTo) throws Exception {
        long bytes = 0;
        for (AbstractCheckpointStats c : cluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot().getHistory()
                .getCheckpoints()) {
            if (c.getStatus() == CheckpointStatsStatus.COMPLETED && c.getCheckpointId() > after
                    && c.getCheckpointId() <= upTo) {
                bytes += c.getCheckpointedSize();
            }
        }
        return bytes;
    }

    private static IndexEvent[] upserts(float[][] vectors, int firstId) {
        IndexEvent[] out = new IndexEvent[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            out[i] = IndexEvent.upsert(KEY, "v" + (firstId + i), vectors[i], null);
        }
        return out;
    }

    private static IndexEvent query(String queryId, float[] probe) {
        return IndexEvent.query(KEY, queryId, probe, 10, 0);
    }

    private static IndexEvent[] append(IndexEvent[] events, IndexEvent last) {
        IndexEvent[] out = java.util.Arrays.copyOf(events, events.length + 1);
        out[events.length] = last;
        return out;
    }

    private static void log(String format, Object... args) {
        System.err.printf("[state-bench] " + format + "%n", args);
    }
}
