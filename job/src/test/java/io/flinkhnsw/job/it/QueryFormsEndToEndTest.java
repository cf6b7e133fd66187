package io.flinkhnsw.job.it;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.local.LocalFlink;
import io.flinkhnsw.job.tools.EventWriter;
import io.flinkhnsw.job.tools.OutputReader;
import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.Vote;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each query form as JSON through Kafka, the job and the results topic (exactly-once, read
 * committed): query by id, like/unlike examples, a kNN vote, get, a payload-only update, and an
 * unknown id answered with an error instead of a dead letter.
 */
@ExtendWith(SharedKafka.class)
class QueryFormsEndToEndTest {
    private static final String KEY = "shop-1";
    private static final int DIM = 8;

    @TempDir
    Path dir;

    @Test
    void everyQueryFormIsAnsweredOnTheResultsTopic() throws Exception {
        JobConfig config = Jobs.config("query-forms").build();
        float[][] vectors = new ClusteredDataset(DIM, 3, 0.1f, 5).next(60);
        try (LocalFlink flink = LocalFlink.start(config, dir, "query-forms");
             OutputReader out = new OutputReader(config.kafka, config.resultsTopic, config.deadLetterTopic);
             EventWriter in = new EventWriter(config.kafka, config.eventsTopic)) {
            for (int i = 0; i < vectors.length; i++) {
                in.send(IndexEvent.upsert(KEY, "item-" + i, vectors[i], "{\"label\":\"l" + (i % 2) + "\",\"price\":" + i + "}"));
            }
            in.send(IndexEvent.query(KEY, "by-vector", vectors[4], 6, 0).withVote("label"));
            raw(in, "{\"op\":\"query\",\"key\":\"shop-1\",\"queryId\":\"by-id\",\"id\":\"item-4\",\"k\":5,\"vote\":\"label\"}");
            raw(in, "{\"op\":\"query\",\"key\":\"shop-1\",\"queryId\":\"examples\",\"like\":[\"item-1\",\"item-2\"],"
                    + "\"unlike\":[\"item-3\"],\"strategy\":\"average_vector\",\"k\":4}");
            raw(in, "{\"op\":\"query\",\"key\":\"shop-1\",\"queryId\":\"unknown\",\"id\":\"item-42000\",\"k\":10}");
            raw(in, "{\"op\":\"get\",\"key\":\"shop-1\",\"queryId\":\"get-before\",\"id\":\"item-7\"}");
            raw(in, "{\"op\":\"upsert\",\"key\":\"shop-1\",\"id\":\"item-7\",\"payload\":{\"price\":99,\"in_stock\":false}}");
            raw(in, "{\"op\":\"get\",\"key\":\"shop-1\",\"queryId\":\"get-after\",\"id\":\"item-7\"}");
            raw(in, "{\"op\":\"get\",\"key\":\"shop-1\",\"queryId\":\"get-unknown\",\"id\":\"nope\"}");
            in.flush();

            assertThat(out.await(() -> {
                flink.checkRunning();
                return out.results().containsKey("get-unknown");
            }, Duration.ofMinutes(3))).as("all answered").isTrue();
            Thread.sleep(1000); // a duplicate would be committed by now
            assertThat(out.results().values()).allSatisfy(l -> assertThat(l).hasSize(1));
            assertThat(out.deadLetters()).isEmpty();

            QueryResult byVector = out.result("by-vector");
            QueryResult byId = out.result("by-id");
            assertThat(byVector.neighbours.get(0).id).isEqualTo("item-4");
            assertThat(byId.neighbours).isEqualTo(byVector.neighbours.subList(1, 6));
            assertThat(byId.vote).isNotNull();
            assertThat(byId.vote.value).isIn("\"l0\"", "\"l1\"");
            assertThat(byVector.vote).isInstanceOf(Vote.class);

            QueryResult examples = out.result("examples");
            assertThat(examples.error).isNull();
            assertThat(examples.neighbours).hasSize(4)
                    .noneMatch(n -> n.id.equals("item-1") || n.id.equals("item-2") || n.id.equals("item-3"));

            QueryResult unknown = out.result("unknown");
            assertThat(unknown.error).isEqualTo("unknown id: item-42000");
            assertThat(unknown.neighbours).isEmpty();

            QueryResult before = out.result("get-before");
            assertThat(before.get).isTrue();
            assertThat(before.vector).containsExactly(vectors[7]);
            assertThat(before.payload).isEqualTo("{\"label\":\"l1\",\"price\":7}");
            QueryResult after = out.result("get-after");
            assertThat(after.vector).containsExactly(vectors[7]);
            assertThat(after.payload).isEqualTo("{\"price\":99,\"in_stock\":false}");
            assertThat(out.result("get-unknown").error).isEqualTo("unknown id: nope");
            assertThat(out.result("get-unknown").vector).isNull();
        }
    }

    private static void raw(EventWriter in, String json) {
        in.sendRaw(KEY.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }
}
