package io.flinkhnsw.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.codec.Json;
import io.flinkhnsw.job.local.LocalFlink;
import io.flinkhnsw.job.tools.EventWriter;
import io.flinkhnsw.job.tools.OutputReader;
import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.Neighbour;
import io.flinkhnsw.operators.QueryResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events in, results out, on a real broker and a MiniCluster with RocksDB and exactly-once: the SIFT
 * set streamed in as upserts and its queries answered with recall@10 no lower than the HNSW core
 * reaches on the same data with the same parameters, each query answered once, payloads returned.
 */
@ExtendWith(SharedKafka.class)
class SiftEndToEndTest {
    static final Path DATA = Path.of("..", "..", "shared", "data", "sift-ngt5k-128-euclidean");

    @TempDir
    Path dir;

    @Test
    void siftRecallThroughKafkaMatchesTheCore() throws Exception {
        float[][] base = Fvecs.readFloats(DATA.resolve("base.fvecs"));
        float[][] queries = Fvecs.readFloats(DATA.resolve("query.fvecs"));
        int[][] truth = Fvecs.readInts(DATA.resolve("groundtruth.ivecs"));
        JobConfig config = Jobs.config("sift").build();
        int k = 10;

        try (LocalFlink flink = LocalFlink.start(config, dir, "sift");
             OutputReader out = new OutputReader(config.kafka, config.resultsTopic, config.deadLetterTopic);
             EventWriter in = new EventWriter(config.kafka, config.eventsTopic)) {
            for (int i = 0; i < base.length; i++) {
                in.send(IndexEvent.upsert("sift", Integer.toString(i), base[i], "{\"row\":" + i + "}"));
            }
            for (int q = 0; q < queries.length; q++) {
                in.send(IndexEvent.query("sift", "q-" + q, queries[q], k, 0));
            }
            in.flush();
            assertThat(out.await(() -> {
                flink.checkRunning();
                return out.results().size() == queries.length;
            }, Duration.ofMinutes(4))).as("all queries answered").isTrue();
            Thread.sleep(1500); // a duplicate would be committed by now

            HnswIndex core = HnswIndex.create(config.hnsw, GraphStore.NONE);
            for (int i = 0; i < base.length; i++) core.upsert(Integer.toString(i), base[i]);
            double flinkRecall = 0;
            double coreRecall = 0;
            for (int q = 0; q < queries.length; q++) {
                Set<String> exact = new HashSet<>();
                for (int j = 0; j < k; j++) exact.add(Integer.toString(truth[q][j]));
                QueryResult r = out.result("q-" + q);
                assertThat(r.key).isEqualTo("sift");
                assertThat(r.indexSize).isEqualTo(base.length);
                assertThat(r.neighbours).hasSize(k);
                for (Neighbour n : r.neighbours) {
                    JsonNode payload = Json.MAPPER.readTree(n.payload);
                    assertThat(payload.get("row").asText()).isEqualTo(n.id);
                }
                flinkRecall += r.neighbours.stream().filter(n -> exact.contains(n.id)).count() / (double) k;
                SearchResult c = core.search(queries[q], k, config.hnsw.efFor(k));
                for (int j = 0; j < c.size(); j++) if (exact.contains(c.id(j))) coreRecall += 1.0 / k;
            }
            flinkRecall /= queries.length;
            coreRecall /= queries.length;
            assertThat(out.results().values()).allSatisfy(l -> assertThat(l).hasSize(1));
            assertThat(flinkRecall).as("recall@10 through Kafka and Flink vs the core at ef=%d", config.hnsw.efFor(k))
                    .isGreaterThanOrEqualTo(coreRecall - 1e-9).isGreaterThan(0.95);
            assertThat(out.deadLetters()).isEmpty();
        }
    }
}
