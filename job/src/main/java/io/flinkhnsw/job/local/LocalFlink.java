package io.flinkhnsw.job.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.codec.Json;
import io.flinkhnsw.job.kafka.KafkaIo;
import io.flinkhnsw.operators.NetworkSettings;
import io.flinkhnsw.operators.StateBackendSettings;
import io.flinkhnsw.operators.bench.CapturedMetrics;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The Kafka job on an in-process Flink MiniCluster, configured like a real deployment: RocksDB
 * state, incremental checkpoints to a local directory, a fixed-delay restart strategy, and the REST
 * endpoint on a free loopback port (used to read checkpoint counts and the index operator's metrics).
 */
public final class LocalFlink implements AutoCloseable {
    private final JobClient client;
    /** Taken once at submission: once the job ends the MiniCluster is gone and cannot be asked again. */
    private final CompletableFuture<JobExecutionResult> result;
    private final String restUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    private LocalFlink(JobClient client, String restUrl) {
        this.client = client;
        this.result = client.getJobExecutionResult();
        this.restUrl = restUrl;
    }

    /** Starts the job described by {@code config} with its state and checkpoints under {@code dir}. */
    public static LocalFlink start(JobConfig config, Path dir, String jobName) throws Exception {
        return FreePorts.start(1, ports -> start(config, dir, jobName, ports[0]));
    }

    private static LocalFlink start(JobConfig config, Path dir, String jobName, int restPort) throws Exception {
        Configuration conf = Configuration.fromMap(Map.of(
                "restart-strategy.type", "fixed-delay",
                "restart-strategy.fixed-delay.attempts", "10",
                "restart-strategy.fixed-delay.delay", "500ms",
                "rest.address", "127.0.0.1",
                "rest.bind-address", "127.0.0.1",
                "rest.bind-port", Integer.toString(restPort),
                "io.tmp.dirs", dir.resolve("tmp").toString()));
        // the index operator's counters read in process (local's ingest timing), not over REST
        CapturedMetrics.clear();
        CapturedMetrics.enable(conf);
        StateBackendSettings.apply(conf, dir.resolve("checkpoints"), dir.resolve("changelog"), true);
        NetworkSettings.apply(conf);
        int parallelism = config.parallelism > 0 ? config.parallelism : 2;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        KafkaIo.job(config).build(env);
        return new LocalFlink(env.executeAsync(jobName), "http://127.0.0.1:" + restPort);
    }

    public JobClient client() {
        return client;
    }

    public String restUrl() {
        return restUrl;
    }

    /** Completed checkpoints of the job so far, -1 when the REST endpoint does not answer. */
    public int completedCheckpoints() {
        return checkpointCount("completed");
    }

    /** How often the job was restored from a checkpoint, -1 when the REST endpoint does not answer. */
    public int restoredCheckpoints() {
        return checkpointCount("restored");
    }

    private int checkpointCount(String which) {
        try {
            return get("/checkpoints").path("counts").path(which).asInt(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * A counter of the index operator (group {@code hnsw}, e.g. {@code upserts}) summed over the
     * subtasks of the current attempt, read in this process through {@link CapturedMetrics}; -1
     * before the operator has registered it.
     */
    public long indexMetricSum(String metric) {
        Double sum = CapturedMetrics.sum(metric);
        return sum == null ? -1 : sum.longValue();
    }

    /** GET of this job's REST path (below /jobs/ID), as JSON. */
    private JsonNode get(String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + client.getJobID() + path))
                .timeout(Duration.ofSeconds(5)).build();
        return Json.MAPPER.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Throws, with the job's root cause, when the job has failed or ended. */
    public void checkRunning() {
        if (!result.isDone()) return;
        try {
            result.get();
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new IllegalStateException("the Flink job failed: " + root, e);
        }
        throw new IllegalStateException("the Flink job ended unexpectedly");
    }

    @Override
    public void close() throws Exception {
        if (!result.isDone()) {
            client.cancel().get();
        }
    }
}
