package io.flinkhnsw.job.it;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.codec.VectorEncoding;
import io.flinkhnsw.job.local.LocalFlink;
import io.flinkhnsw.job.tools.EventWriter;
import io.flinkhnsw.job.tools.OutputReader;
import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.vector.Metric;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every class of bad input, sent through Kafka between two identical queries: each comes back on
 * the dead-letter topic with its reason and source offset, the job keeps running, and the second
 * query's answer (neighbours, distances, index size) equals the first, so no bad event changed the
 * index. Bad events include ones only the keyed operator can catch (wrong dimension for the key, a
 * payload-only upsert of an unknown id). Each refused query or get with a queryId is also answered
 * on the results topic with the same error, exactly once. Every class of bad filter
 * is among them, and a filtered query through the same path answers with exactly the filtered top k
 * a brute force finds.
 */
@ExtendWith(SharedKafka.class)
class DeadLetterEndToEndTest {
    private static final String KEY = "dl";
    private static final int DIM = 8;

    @TempDir
    Path dir;

    @Test
    void everyBadInputIsDeadLetteredAndLeavesTheIndexUnchanged() throws Exception {
        JobConfig config = Jobs.config("dead-letters").maxMessageBytes(4096).maxEf(500)
                .filterFields(FilterFields.parse("i:number,color:keyword,tags:keyword,shipping.free:bool")).build();
        float[][] vectors = new ClusteredDataset(DIM, 4, 0.2f, 3).next(60);
        float[] probe = vectors[7];
        String v8 = "[1,2,3,4,5,6,7,8]";
        Map<String, String[]> bad = new LinkedHashMap<>(); // label -> {record key, value, expected reason}
        bad.put("malformed JSON", new String[] {KEY, "{\"op\":\"upsert\",\"id\":\"v1\",\"key\":\"dl\",\"vector\":[1,2", "malformed JSON"});
        bad.put("unknown op", new String[] {KEY, "{\"op\":\"merge\",\"key\":\"dl\",\"id\":\"v1\"}", "unknown op 'merge'"});
        bad.put("missing id", new String[] {KEY, "{\"op\":\"upsert\",\"key\":\"dl\",\"vector\":" + v8 + "}", "missing field 'id'"});
        bad.put("missing vector", new String[] {KEY, "{\"op\":\"upsert\",\"key\":\"dl\",\"id\":\"v1\"}", "missing field 'vector'"});
        bad.put("missing queryId", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"vector\":" + v8 + ",\"k\":3}", "missing field 'queryId'"});
        bad.put("wrong dimension (upsert of an existing id)", new String[] {KEY,
                json(IndexEvent.upsert(KEY, "v3", new float[DIM + 1], null), VectorEncoding.JSON), "dimension"});
        bad.put("wrong dimension (query, vector_b64)", new String[] {KEY,
                json(IndexEvent.query(KEY, "bad-q", new float[DIM - 1], 3, 0), VectorEncoding.B64), "dimension"});
        bad.put("vector and vector_b64", new String[] {KEY, "{\"op\":\"upsert\",\"key\":\"dl\",\"id\":\"v2\",\"vector\":" + v8
                + ",\"vector_b64\":\"AACAPw==\"}", "both 'vector' and 'vector_b64'"});
        bad.put("NaN", new String[] {KEY, "{\"op\":\"upsert\",\"key\":\"dl\",\"id\":\"v2\",\"vector\":[1,NaN,3,4,5,6,7,8]}", "vector[1] is NaN"});
        bad.put("Infinity", new String[] {KEY, "{\"op\":\"upsert\",\"key\":\"dl\",\"id\":\"v2\",\"vector\":[1,2,3,4,5,6,7,1e39]}", "vector[7] is infinite"});
        bad.put("k out of range", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"x\",\"vector\":" + v8 + ",\"k\":1001}", "k is 1001"});
        bad.put("ef out of range", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"x\",\"vector\":" + v8 + ",\"k\":10,\"ef\":5}", "ef is 5"});
        bad.put("over the size limit", new String[] {KEY, "{\"op\":\"upsert\",\"key\":\"dl\",\"id\":\"v4\",\"vector\":" + v8
                + ",\"payload\":{\"pad\":\"" + "x".repeat(5000) + "\"}}", "over the limit of 4096 bytes"});
        bad.put("invalid UTF-8", new String[] {KEY, null, "not valid UTF-8"});
        String query = "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"f\",\"vector\":" + v8 + ",\"k\":3,\"filter\":";
        bad.put("filter on an undeclared field", new String[] {KEY, query + "{\"must\":[{\"field\":\"size\",\"match\":\"xl\"}]}}",
                "field 'size' is not filterable"});
        bad.put("range on a keyword field", new String[] {KEY, query + "{\"must\":[{\"field\":\"color\",\"range\":{\"gte\":1}}]}}",
                "range does not apply to keyword field 'color'"});
        bad.put("match of a string on a number field", new String[] {KEY, query
                + "{\"should\":[{\"field\":\"i\",\"match\":\"ten\"}]}}", "match of a string does not apply to number field 'i'"});
        bad.put("unknown condition", new String[] {KEY, query + "{\"must\":[{\"field\":\"color\",\"regex\":\"r.*\"}]}}",
                "must have one of match, any, range"});
        bad.put("unknown filter part", new String[] {KEY, query + "{\"and\":[]}}", "unknown part 'and'"});
        bad.put("filter not an object", new String[] {KEY, query + "[1]}", "field 'filter' must be a JSON object"});
        bad.put("query with a vector and an id", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"r-both\",\"id\":\"v1\",\"vector\":"
                + v8 + ",\"k\":3}", "one of 'vector' (or 'vector_b64'), 'id' or 'like'"});
        bad.put("too many example ids", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"r-many\",\"like\":["
                + "\"v1\",".repeat(64) + "\"v2\"],\"k\":3}", "too many ids: 65"});
        bad.put("unlike without like", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"r-unlike\",\"unlike\":[\"v1\"],\"k\":3}",
                "'unlike' needs at least one 'like' id"});
        bad.put("like not an array of strings", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"r-like\",\"like\":[1],\"k\":3}",
                "like[0] must be a string"});
        bad.put("best_score strategy", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"r-best\",\"like\":[\"v1\"],"
                + "\"strategy\":\"best_score\",\"k\":3}", "strategy 'best_score' is not supported"});
        bad.put("vote not a string", new String[] {KEY, "{\"op\":\"query\",\"key\":\"dl\",\"queryId\":\"r-vote\",\"vector\":" + v8
                + ",\"k\":3,\"vote\":7}", "field 'vote' must be a string"});
        bad.put("get without an id", new String[] {KEY, "{\"op\":\"get\",\"key\":\"dl\",\"queryId\":\"r-get\"}", "missing field 'id'"});
        bad.put("payload-only upsert of an unknown id", new String[] {KEY,
                "{\"op\":\"upsert\",\"key\":\"dl\",\"id\":\"nobody\",\"payload\":{\"price\":1}}", "upsert without a vector of unknown id 'nobody'"});
        bad.put("record key differs from the key field", new String[] {"other", "{\"op\":\"delete\",\"key\":\"dl\",\"id\":\"v5\"}",
                "record key 'other' does not match"});

        try (LocalFlink flink = LocalFlink.start(config, dir, "dead-letters");
             OutputReader out = new OutputReader(config.kafka, config.resultsTopic, config.deadLetterTopic);
             EventWriter in = new EventWriter(config.kafka, config.eventsTopic)) {
            for (int i = 0; i < vectors.length; i++) {
                in.send(IndexEvent.upsert(KEY, "v" + i, vectors[i], payload(i)));
            }
            in.send(IndexEvent.query(KEY, "before", probe, 10, 0));
            IndexEvent filtered = IndexEvent.query(KEY, "filtered", probe, 5, 0);
            filtered.filter = FILTER;
            in.send(filtered);
            Map<Long, String> labelByOffset = new LinkedHashMap<>();
            List<String> labels = new ArrayList<>(bad.keySet());
            for (String label : labels) {
                String[] b = bad.get(label);
                byte[] value = b[1] != null ? b[1].getBytes(StandardCharsets.UTF_8) : invalidUtf8();
                RecordMetadata md = in.sendRaw(b[0].getBytes(StandardCharsets.UTF_8), value).get();
                labelByOffset.put(((long) md.partition() << 40) | md.offset(), label);
            }
            in.send(IndexEvent.query(KEY, "after", probe, 10, 0));
            in.flush();

            assertThat(out.await(() -> {
                flink.checkRunning();
                return out.results().containsKey("after") && out.results().containsKey("r-get")
                        && out.deadLetters().size() >= bad.size();
            }, Duration.ofMinutes(3))).as("answers and dead letters arrive").isTrue();
            Thread.sleep(1500); // anything extra would have been committed by now

            List<DeadLetter> dead = out.deadLetters();
            assertThat(dead).hasSize(bad.size());
            for (DeadLetter d : dead) {
                String label = labelByOffset.get(((long) d.partition << 40) | d.offset);
                assertThat(label).as("dead letter %s points at a bad record", d).isNotNull();
                assertThat(d.topic).isEqualTo(config.eventsTopic);
                assertThat(d.error).as(label).contains(bad.get(label)[2]);
                assertThat(d.raw).as(label).isNotEmpty();
            }
            assertThat(dead.stream().map(d -> labelByOffset.get(((long) d.partition << 40) | d.offset)))
                    .containsExactlyInAnyOrderElementsOf(labels);

            QueryResult before = out.result("before");
            QueryResult after = out.result("after");
            assertThat(before.indexSize).isEqualTo(vectors.length);
            assertThat(after.indexSize).isEqualTo(before.indexSize);
            assertThat(after.neighbours).isEqualTo(before.neighbours);
            assertThat(after.neighbours.get(0).id).isEqualTo("v7");
            // refused queries and gets with a queryId: answered once each with their dead letter's reason
            Map<String, String> answered = new LinkedHashMap<>(Map.of("bad-q", "dimension",
                    "r-both", "'id'", "r-many", "too many ids", "r-unlike", "'unlike'", "r-like", "like[0]",
                    "r-best", "best_score", "r-vote", "'vote'", "r-get", "missing field 'id'"));
            for (Map.Entry<String, String> a : answered.entrySet()) {
                QueryResult r = out.result(a.getKey());
                assertThat(r).as(a.getKey()).isNotNull();
                assertThat(r.error).as(a.getKey()).contains(a.getValue());
                assertThat(r.neighbours).isEmpty();
                assertThat(r.key).isEqualTo(KEY);
            }
            assertThat(out.result("r-get").get).isTrue();
            assertThat(out.results().get("x")).as("k and ef out of range, both queryId x").hasSize(2)
                    .allSatisfy(r -> assertThat(r.error).matches("(k|ef) is .*"));
            assertThat(out.results().get("f")).as("the refused filters, all queryId f").hasSize(6)
                    .allSatisfy(r -> assertThat(r.error).contains("filter"));
            assertThat(out.results()).hasSize(2 + 1 + answered.size() + 2);
            int[] truth = ExactKnn.nearest(vectors, probe, 5, Metric.L2, row -> !matches(row));
            assertThat(out.result("filtered").neighbours).extracting(n -> n.id)
                    .containsExactly(Arrays.stream(truth).mapToObj(row -> "v" + row).toArray(String[]::new));
            assertThat(out.result("filtered").neighbours).extracting(n -> n.payload)
                    .containsExactly(Arrays.stream(truth).mapToObj(DeadLetterEndToEndTest::payload).toArray(String[]::new));
        }
    }

    /** Red or blue, tags (an array), a nested bool and a number: every field type and form of filter. */
    private static String payload(int i) {
        return "{\"i\":" + i + ",\"color\":\"" + (i % 3 == 0 ? "red" : "blue") + "\",\"tags\":[\"t" + i % 4 + "\",\"all\"],"
                + "\"shipping\":{\"free\":" + (i % 5 == 0) + "}}";
    }

    private static final String FILTER = "{\"must\":[{\"field\":\"color\",\"match\":\"red\"},{\"field\":\"i\",\"range\":{\"gte\":10,\"lt\":50}}],"
            + "\"should\":[{\"field\":\"tags\",\"any\":[\"t0\",\"t1\"]},{\"field\":\"tags\",\"match\":\"t2\"}],"
            + "\"must_not\":[{\"field\":\"shipping.free\",\"match\":true}]}";

    /** What {@link #FILTER} accepts, for the brute force. */
    private static boolean matches(int i) {
        return i % 3 == 0 && i >= 10 && i < 50 && i % 4 != 3 && i % 5 != 0;
    }

    private static String json(IndexEvent e, VectorEncoding encoding) {
        return new String(EventCodec.encode(e, encoding), StandardCharsets.UTF_8);
    }

    private static byte[] invalidUtf8() {
        byte[] b = "{\"op\":\"delete\",\"key\":\"dl\",\"id\":\"v6?\"}".getBytes(StandardCharsets.UTF_8);
        b[b.length - 4] = (byte) 0xFF;
        return b;
    }
}
