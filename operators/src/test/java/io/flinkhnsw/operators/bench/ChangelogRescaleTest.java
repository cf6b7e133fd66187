package io.flinkhnsw.operators.bench;

import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.StateBackendSettings;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's state backend end to end: a retained checkpoint taken at parallelism 2 with the state
 * changelog on (its handles, not a savepoint) is restored at parallelism 1 and 4 on a MiniCluster,
 * and every key answers its probe queries with the same ids, distances and index size as before;
 * the restored job then completes a checkpoint of its own, and its gauges (read through
 * {@link CapturedMetrics}) count every key and vector, in memory or not.
 */
class ChangelogRescaleTest {
    private static final int KEYS = 6;
    private static final int PER_KEY = 200;
    private static final int DIM = 8;
    private static final int PROBES_PER_KEY = 3;

    @TempDir
    Path work;

    @Timeout(300)
    @ParameterizedTest(name = "2 -> {0}")
    @ValueSource(ints = {1, 4})
    void changelogCheckpointRestoresAtAnotherParallelism(int newParallelism) throws Exception {
        Configuration conf = StateBackendSettings.apply(new Configuration(), work.resolve("checkpoints"),
                work.resolve("changelog"), true);
        conf.setString("execution.checkpointing.interval", "100ms");
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        // checkpoints keep coming until the cancel: keep the one the test restores from
        conf.setString("execution.checkpointing.num-retained", "1000");
        conf.setString("restart-strategy.type", "none");
        conf.setString("rest.bind-port", "0"); // any free port: 8081 may be taken by another MiniCluster
        CapturedMetrics.enable(conf);
        // keys become graphs at 100 vectors; a one-byte budget reloads a key from state on every key switch
        IndexSettings settings = IndexSettings.builder().flatLimit(100).indexMemoryBytes(1).maxVectorsPerKey(1_000_000)
                .build();
        SplittableRandom random = new SplittableRandom(5);
        List<IndexEvent> history = new ArrayList<>();
        for (int i = 0; i < PER_KEY; i++) {
            for (int key = 0; key < KEYS; key++) {
                history.add(IndexEvent.upsert("tenant-" + key, "v" + i, vector(random), null));
            }
        }
        List<IndexEvent> probes = new ArrayList<>();
        for (int key = 0; key < KEYS; key++) {
            for (int p = 0; p < PROBES_PER_KEY; p++) {
                probes.add(IndexEvent.query("tenant-" + key, "probe-" + key + "-" + p, vector(random), 10, 0));
            }
        }

        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(4).build())) {
            cluster.start();
            BenchSink.RESULTS.clear();
            BenchSink.ARRIVED.clear();
            JobID original = StateBench.submit(cluster, conf, settings, 2, null);
            StateBench.awaitStatus(cluster, original, JobStatus.RUNNING);
            BenchSource.BATCHES.add(history.toArray(IndexEvent[]::new));
            BenchSource.BATCHES.add(probes.toArray(IndexEvent[]::new));
            long answered = 0;
            for (IndexEvent probe : probes) {
                answered = Math.max(answered, StateBench.awaitResult(cluster, original, probe.queryId));
            }
            Map<String, QueryResult> expected = new HashMap<>(BenchSink.RESULTS);
            String checkpoint = StateBench.awaitCheckpointTriggeredAfter(cluster, original, answered).getExternalPath();
            cluster.cancelJob(original).get();
            StateBench.awaitStatus(cluster, original, JobStatus.CANCELED);
            assertThat(work.resolve("changelog").toFile().list()).as("changelog written").isNotEmpty();

            BenchSink.RESULTS.clear();
            BenchSink.ARRIVED.clear();
            CapturedMetrics.clear();
            JobID restored = StateBench.submit(cluster, conf, settings, newParallelism, checkpoint);
            StateBench.awaitStatus(cluster, restored, JobStatus.RUNNING);
            BenchSource.BATCHES.add(probes.toArray(IndexEvent[]::new));
            long restoredAnswered = 0;
            for (IndexEvent probe : probes) {
                restoredAnswered = Math.max(restoredAnswered, StateBench.awaitResult(cluster, restored, probe.queryId));
            }
            // and the restored job keeps checkpointing (in NO_CLAIM mode its first checkpoint failed the job)
            StateBench.awaitCheckpointTriggeredAfter(cluster, restored, restoredAnswered);
            // the gauges count every key of the subtasks, in memory or not, across the rescale
            assertThat(CapturedMetrics.sum("keys")).isEqualTo((double) KEYS);
            assertThat(CapturedMetrics.sum("graphKeys")).isEqualTo((double) KEYS);
            assertThat(CapturedMetrics.sum("flatKeys")).isZero();
            assertThat(CapturedMetrics.sum("liveVectors")).isEqualTo((double) KEYS * PER_KEY);
            assertThat(CapturedMetrics.sum("reloads")).isGreaterThanOrEqualTo((double) KEYS);
            assertThat(CapturedMetrics.sum("reloadedVectors")).isGreaterThanOrEqualTo((double) KEYS * PER_KEY);
            assertThat(CapturedMetrics.sum("cachedKeys")).isPositive();
            assertThat(CapturedMetrics.sum("indexMemoryBytes")).isGreaterThan(PER_KEY * DIM * 4.0);
            // one byte per subtask for each of the two index operators (keys, and shards of sharded keys)
            assertThat(CapturedMetrics.sum("indexMemoryBudgetBytes")).isEqualTo(2.0 * newParallelism);
            cluster.cancelJob(restored).get();
            StateBench.awaitStatus(cluster, restored, JobStatus.CANCELED);

            assertThat(expected).hasSize(probes.size());
            assertThat(expected.values()).allSatisfy(r -> {
                assertThat(r.indexSize).isEqualTo(PER_KEY);
                assertThat(r.neighbours).hasSize(10);
            });
            assertThat(BenchSink.RESULTS).isEqualTo(expected);
        }
    }

    private static float[] vector(SplittableRandom random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }
}
