package io.flinkhnsw.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.codec.Json;
import io.flinkhnsw.job.codec.VectorEncoding;
import io.flinkhnsw.job.inspect.InspectCommand;
import io.flinkhnsw.job.local.LocalFlink;
import io.flinkhnsw.job.tools.EventWriter;
import io.flinkhnsw.job.tools.OutputReader;
import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inspect} on a savepoint taken by stop-with-savepoint of the Kafka job (RocksDB with the
 * state changelog, as deployed): a flat key and a key that became a graph, both with a replaced and
 * a deleted id, print exactly the live ids, vectors and payloads sent, and the size, tombstones and
 * backlog of an in-memory index fed the same events; a key in two shards prints one line per shard,
 * which together hold what was sent; unreadable input ends with one line on stderr.
 */
@ExtendWith(SharedKafka.class)
class InspectEndToEndTest {
    private static final int DIM = 16;
    /** M=200: a deleted node has more in-links than one write repairs, so a burst of deletes leaves tombstones. */
    private static final HnswConfig CONFIG = new HnswConfig(Metric.L2, 200, 100, 64, 42L);
    private static final String SHARDED = "sharded";

    @TempDir
    Path dir;

    /** What the test sent to one key, and the same events applied to an index in memory. */
    private static final class Sent {
        final Map<String, float[]> vectors = new TreeMap<>();
        final Map<String, String> payloads = new HashMap<>();
        final KeyIndex oracle = KeyIndex.create(CONFIG, 0, KeyIndex.Listener.NONE, GraphStore.NONE,
                KeyIndex.GraphSource.NONE);
    }

    @Test
    void printsEachKeyAsTheOperatorWouldLoadIt() throws Exception {
        // one subtask with a one-byte budget keeps only the key in use in memory: writes to the other key are logged
        JobConfig config = Jobs.config("inspect").hnsw(CONFIG).parallelism(1).indexMemoryBytes(1)
                .maxVectorsPerKey(1_000_000)
                .keyOverrides(Map.of(SHARDED, new IndexSettings.KeyOverride(CONFIG, 0).withShards(2))).build();
        Random random = new Random(16);
        Map<String, Sent> sent = new TreeMap<>();
        Path savepoint;
        try (LocalFlink flink = LocalFlink.start(config, dir.resolve("job"), "inspect");
             OutputReader out = new OutputReader(config.kafka, config.resultsTopic, config.deadLetterTopic);
             EventWriter in = new EventWriter(config.kafka, config.eventsTopic, VectorEncoding.B64)) {
            // above the default flat limit: drains into a graph, then a new backlog
            write(in, sent, random, "graph", KeyIndex.defaultFlatLimit(DIM) + 264, 20);
            write(in, sent, random, "flat", 10, 1);
            write(in, sent, random, SHARDED, 40, 3);
            for (String key : sent.keySet()) {
                in.send(IndexEvent.query(key, "q-" + key, new float[DIM], 3, 0));
            }
            in.flush();
            assertThat(out.await(() -> {
                flink.checkRunning();
                return out.results().keySet().containsAll(List.of("q-graph", "q-flat", "q-" + SHARDED));
            }, Duration.ofMinutes(3))).as("every key answered its last query").isTrue();
            // writes after the last queries, alternating keys: logged, not applied, when the savepoint is taken
            for (int i = 0; i < 6; i++) {
                String key = i % 2 == 0 ? "graph" : "flat";
                upsert(in, sent.get(key), random, key, key + "-late-" + i);
            }
            delete(in, sent.get("flat"), "flat", "flat5");
            upsert(in, sent.get("graph"), random, "graph", "graph-late-0");
            in.flush();
            awaitCommitted(config, flink);
            savepoint = Path.of(java.net.URI.create(flink.client()
                    .stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get()));
        }
        assertThat(sent.get("graph").oracle.isGraph()).isTrue();
        assertThat(sent.get("graph").oracle.tombstones()).isPositive();
        assertThat(sent.get("flat").oracle.isGraph()).isFalse();

        String[] summary = new String[1];
        Map<String, JsonNode> lines = inspect(savepoint, summary, "--vectors");
        Map<String, JsonNode> shards = shardsOf(lines);
        assertThat(lines.keySet()).containsExactlyInAnyOrder("graph", "flat");
        assertShards(shards, sent.get(SHARDED));
        assertThat(lines.get("graph").path("pending_writes").asInt() + lines.get("flat").path("pending_writes").asInt())
                .as("the savepoint holds logged writes, which inspect applies").isPositive();
        for (String key : lines.keySet()) {
            assertKey(lines.get(key), sent.get(key));
        }
        JsonNode total = Json.MAPPER.readTree(summary[0]);
        assertThat(total.path("keys").asInt()).isEqualTo(4);
        assertThat(total.path("shard_keys").asInt()).isEqualTo(2);
        assertThat(total.path("graph_keys").asInt()).isEqualTo(1);
        assertThat(total.path("vectors").asLong())
                .isEqualTo(sent.values().stream().mapToLong(s -> s.vectors.size()).sum());

        Map<String, JsonNode> one = inspect(savepoint, summary, "--key", "flat");
        assertThat(one.keySet()).containsExactly("flat");
        assertKey(one.get("flat"), sent.get("flat"));
        Map<String, JsonNode> oneSharded = inspect(savepoint, summary, "--key", SHARDED);
        assertShards(shardsOf(oneSharded), sent.get(SHARDED));
        assertThat(oneSharded).isEmpty();
        Map<String, JsonNode> counts = inspect(savepoint, summary);
        assertThat(counts.get("graph").has("vectors")).isFalse();
        assertThat(counts.get("graph").path("size").asInt()).isEqualTo(sent.get("graph").vectors.size());
    }

    @Test
    void unreadableInputIsOneLineOnStderr() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        Path garbage = Files.createDirectories(dir.resolve("garbage"));
        Files.writeString(garbage.resolve("_metadata"), "not a savepoint");
        for (Path p : List.of(dir.resolve("missing"), dir.resolve("empty"), garbage)) {
            StringWriter err = new StringWriter();
            StringWriter out = new StringWriter();
            int code = new CommandLine(new InspectCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute("--savepoint", p.toString());
            assertThat(code).as(p.toString()).isEqualTo(1);
            assertThat(out.toString()).isEmpty();
            assertThat(err.toString().strip()).as(p.toString()).startsWith("inspect: ").doesNotContain("\n\tat ");
        }
    }

    /**
     * Waits until a checkpoint has committed the job's position past every record of its events
     * topic, so every event sent has been applied (or logged) in its state, without an event that
     * would load a key.
     */
    private static void awaitCommitted(JobConfig config, LocalFlink flink) throws Exception {
        try (Admin admin = Admin.create(config.kafka.clientConfig(Map.of(), Map.of()))) {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                ends.put(new TopicPartition(config.eventsTopic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(ends).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (true) {
                flink.checkRunning();
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(config.groupId).partitionsToOffsetAndMetadata().get();
                // a partition no record went to has no committed offset
                if (end.entrySet().stream().allMatch(e -> e.getValue() == 0 || committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue())) {
                    return;
                }
                assertThat(System.nanoTime()).as("events committed by a checkpoint").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    /** Upserts n vectors with payloads, replaces two ids (one at each end), deletes the first {@code deletes} and the last. */
    private static void write(EventWriter in, Map<String, Sent> sent, Random random, String key, int n, int deletes) {
        Sent s = sent.computeIfAbsent(key, k -> new Sent());
        for (int i = 0; i < n; i++) {
            upsert(in, s, random, key, key + i);
        }
        upsert(in, s, random, key, key + deletes);
        upsert(in, s, random, key, key + (n - 2));
        for (int i = 0; i < deletes; i++) {
            delete(in, s, key, key + i);
        }
        delete(in, s, key, key + (n - 1));
    }

    private static void upsert(EventWriter in, Sent s, Random random, String key, String id) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = random.nextFloat() * 2 - 1;
        }
        String payload = "{\"id\":\"" + id + "\",\"r\":" + random.nextInt(1000) + "}";
        in.send(IndexEvent.upsert(key, id, v, payload));
        s.vectors.put(id, v.clone());
        s.payloads.put(id, payload);
        s.oracle.upsert(id, v);
    }

    private static void delete(EventWriter in, Sent s, String key, String id) {
        in.send(IndexEvent.delete(key, id));
        s.vectors.remove(id);
        s.payloads.remove(id);
        s.oracle.delete(id);
    }

    /** Removes the shard lines from {@code lines} and returns them by sub-key. */
    private static Map<String, JsonNode> shardsOf(Map<String, JsonNode> lines) {
        Map<String, JsonNode> shards = new TreeMap<>();
        lines.entrySet().removeIf(e -> e.getValue().has("shard_of") && shards.put(e.getKey(), e.getValue()) == null);
        return shards;
    }

    /** Two shard lines of the sharded key, which together hold exactly its live ids, vectors and payloads. */
    private static void assertShards(Map<String, JsonNode> shards, Sent s) throws Exception {
        assertThat(shards).hasSize(2);
        Map<String, float[]> held = new TreeMap<>();
        int size = 0;
        for (JsonNode line : shards.values()) {
            assertThat(line.path("shard_of").asText()).isEqualTo(SHARDED);
            assertThat(line.path("key").asText()).startsWith(SHARDED + "#");
            size += line.path("size").asInt();
            for (JsonNode entry : line.path("vectors")) {
                String id = entry.path("id").asText();
                float[] v = new float[DIM];
                for (int d = 0; d < DIM; d++) {
                    v[d] = entry.path("vector").get(d).floatValue();
                }
                assertThat(held.put(id, v)).as(id + " in one shard only").isNull();
                assertThat(entry.path("payload")).as(id).isEqualTo(Json.MAPPER.readTree(s.payloads.get(id)));
            }
        }
        assertThat(size).isEqualTo(s.vectors.size());
        assertThat(held.keySet()).containsExactlyElementsOf(s.vectors.keySet());
        held.forEach((id, v) -> assertThat(v).as(id).containsExactly(s.vectors.get(id)));
    }

    private static void assertKey(JsonNode line, Sent s) throws Exception {
        assertThat(line.path("tier").asText()).isEqualTo(s.oracle.isGraph() ? "graph" : "flat");
        assertThat(line.path("size").asInt()).isEqualTo(s.oracle.size()).isEqualTo(s.vectors.size());
        assertThat(line.path("tombstones").asInt()).isEqualTo(s.oracle.tombstones());
        assertThat(line.path("backlog").asInt()).isEqualTo(s.oracle.flatSize());
        assertThat(line.path("draining").asBoolean()).isEqualTo(s.oracle.draining());
        assertThat(line.path("dimension").asInt()).isEqualTo(DIM);
        assertThat(line.path("metric").asText()).isEqualTo("l2");
        assertThat(line.path("m").asInt()).isEqualTo(CONFIG.m());
        assertThat(line.path("ef_construction").asInt()).isEqualTo(CONFIG.efConstruction());
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : line.path("vectors")) {
            String id = entry.path("id").asText();
            ids.add(id);
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = entry.path("vector").get(d).floatValue();
            }
            assertThat(v).as(id).containsExactly(s.vectors.get(id));
            assertThat(entry.path("payload")).as(id).isEqualTo(Json.MAPPER.readTree(s.payloads.get(id)));
        }
        assertThat(ids).containsExactlyElementsOf(s.vectors.keySet());
    }

    /** Runs inspect; its key lines by key, the summary line into {@code summary[0]}. */
    private static Map<String, JsonNode> inspect(Path savepoint, String[] summary, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--savepoint", savepoint.toString()));
        args.addAll(List.of(options));
        StringWriter out = new StringWriter();
        int code = new CommandLine(new InspectCommand()).setOut(new PrintWriter(out)).execute(args.toArray(String[]::new));
        assertThat(code).isZero();
        Map<String, JsonNode> byKey = new TreeMap<>();
        String[] lines = out.toString().strip().split("\n");
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode n = Json.MAPPER.readTree(lines[i]);
            assertThat(byKey.put(n.path("key").asText(), n)).as("one line per key").isNull();
        }
        summary[0] = lines[lines.length - 1];
        return byKey;
    }
}
