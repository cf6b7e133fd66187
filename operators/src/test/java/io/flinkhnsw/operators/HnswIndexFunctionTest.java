package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.flinkhnsw.operators.IndexEvent.delete;
import static io.flinkhnsw.operators.IndexEvent.query;
import static io.flinkhnsw.operators.IndexEvent.upsert;
import static io.flinkhnsw.operators.IndexHarness.ids;
import static org.assertj.core.api.Assertions.assertThat;

/** Semantics of every event kind through the keyed operator on RocksDB, one subtask. */
class HnswIndexFunctionTest {
    private IndexHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void upsertThenQueryReturnsNeighboursWithDistancesAndPayloads() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.L2)));
        h.process(upsert("k", "a", new float[] {0, 0}, "{\"name\":\"a\"}"));
        h.process(upsert("k", "b", new float[] {3, 4}, null));
        h.process(upsert("k", "c", new float[] {10, 0}, "{\"name\":\"c\"}"));
        QueryResult r = h.ask(query("k", "q1", new float[] {0, 1}, 2, 0));
        assertThat(r.queryId).isEqualTo("q1");
        assertThat(r.key).isEqualTo("k");
        assertThat(r.indexSize).isEqualTo(3);
        assertThat(r.neighbours).containsExactly(new Neighbour("a", 1f, "{\"name\":\"a\"}"), new Neighbour("b", 18f, null));
        assertThat(h.drainRejected()).isEmpty();
    }

    @Test
    void queriesSeeEveryEarlierUpsertAndDeleteOfTheirKey() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.L2)));
        h.process(upsert("k", "a", new float[] {1, 1}, "{\"v\":1}"));
        assertThat(ids(h.ask(query("k", "q", new float[] {1, 1}, 5, 0)))).containsExactly("a");
        h.process(upsert("k", "b", new float[] {2, 2}, null));
        assertThat(ids(h.ask(query("k", "q", new float[] {2, 2}, 5, 0)))).containsExactly("b", "a");
        // replacing a vector moves it and replaces (here: clears) its payload
        h.process(upsert("k", "a", new float[] {5, 5}, null));
        QueryResult moved = h.ask(query("k", "q", new float[] {5, 5}, 5, 0));
        assertThat(moved.neighbours).containsExactly(new Neighbour("a", 0f, null), new Neighbour("b", 18f, null));
        assertThat(moved.indexSize).isEqualTo(2);
        h.process(delete("k", "a"));
        QueryResult afterDelete = h.ask(query("k", "q", new float[] {5, 5}, 5, 0));
        assertThat(ids(afterDelete)).containsExactly("b");
        assertThat(afterDelete.indexSize).isEqualTo(1);
        h.process(upsert("k", "a", new float[] {2, 2.5f}, "{\"v\":2}"));
        assertThat(h.ask(query("k", "q", new float[] {2, 3}, 1, 0)).neighbours)
                .containsExactly(new Neighbour("a", 0.25f, "{\"v\":2}"));
        assertThat(h.drainRejected()).isEmpty();
    }

    @Test
    void keysAreSeparateIndexesAndAnUnknownKeyAnswersEmpty() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.L2)));
        h.process(upsert("x", "x1", new float[] {1, 0, 0}, null));
        h.process(upsert("y", "y1", new float[] {1, 0}, null)); // another key may have another dimension
        assertThat(ids(h.ask(query("x", "q", new float[] {1, 0, 0}, 10, 0)))).containsExactly("x1");
        assertThat(ids(h.ask(query("y", "q", new float[] {1, 0}, 10, 0)))).containsExactly("y1");
        QueryResult none = h.ask(query("nobody", "q", new float[] {1, 0}, 10, 0));
        assertThat(none.neighbours).isEmpty();
        assertThat(none.indexSize).isZero();
        assertThat(h.drainRejected()).isEmpty();
    }

    @Test
    void deleteOfAnUnknownIdOrKeyIsANoOp() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.L2)));
        h.process(delete("nobody", "a"));
        h.process(upsert("k", "a", new float[] {1, 1}, null));
        h.process(delete("k", "zzz"));
        assertThat(h.drainResults()).isEmpty();
        assertThat(h.drainRejected()).isEmpty();
        QueryResult r = h.ask(query("k", "q", new float[] {1, 1}, 3, 0));
        assertThat(ids(r)).containsExactly("a");
        assertThat(r.indexSize).isEqualTo(1);
    }

    @Test
    void badEventsGoToTheSideOutputAndLeaveTheIndexUnchanged() throws Exception {
        h = IndexHarness.open(IndexSettings.builder().maxPayloadBytes(64).build());
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            h.process(upsert("k", "v" + i, new float[] {(float) rnd.nextDouble(), (float) rnd.nextDouble()}, "{}"));
        }
        IndexEvent probe = query("k", "probe", new float[] {0.5f, 0.5f}, 10, 0);
        QueryResult before = h.ask(probe);

        IndexEvent noOp = new IndexEvent();
        noOp.key = "k";
        List<IndexEvent> bad = new ArrayList<>(List.of(
                noOp,
                upsert("k", null, new float[] {1, 1}, null),
                upsert("k", "v1", null, null),
                upsert("k", "v1", new float[] {1, 1, 1}, null),
                upsert("k", "v1", new float[] {Float.NaN, 1}, null),
                upsert("k", "v1", new float[] {Float.POSITIVE_INFINITY, 1}, null),
                upsert("k", "v1", new float[] {1, 1}, "[1,2]"),
                upsert("k", "v1", new float[] {1, 1}, "{\"big\":\"" + "x".repeat(100) + "\"}"),
                delete("k", null),
                query("k", null, new float[] {1, 1}, 3, 0),
                query("k", "q", null, 3, 0),
                query("k", "q", new float[] {1, 1}, 0, 0),
                query("k", "q", new float[] {1, 1}, 1001, 0),
                query("k", "q", new float[] {1, 1}, 3, -1),
                query("k", "q", new float[] {1, 1, 1}, 3, 0)));
        for (IndexEvent e : bad) {
            h.process(e);
        }
        List<RejectedEvent> rejected = h.drainRejected();
        assertThat(rejected).hasSameSizeAs(bad);
        for (int i = 0; i < bad.size(); i++) {
            assertThat(rejected.get(i).event).isEqualTo(bad.get(i));
            assertThat(rejected.get(i).reason).as("reason for %s", bad.get(i)).isNotBlank();
        }
        assertThat(rejected.get(0).reason).contains("op");
        assertThat(rejected.get(3).reason).containsIgnoringCase("dimension");
        assertThat(rejected.get(7).reason).contains("64 bytes");
        // the refused queries with a queryId are answered with their error (QueryFormsTest)
        assertThat(h.drainResults()).hasSize(5).allSatisfy(r -> assertThat(r.error).isNotBlank());

        QueryResult after = h.ask(probe);
        assertThat(after).isEqualTo(before);
        assertThat(after.neighbours).allSatisfy(n -> assertThat(n.payload).isEqualTo("{}"));
    }

    @Test
    void parametersFollowTheLongestMatchingKeyPrefix() throws Exception {
        HnswConfig l2 = HnswConfig.defaults(Metric.L2);
        h = IndexHarness.open(IndexSettings.builder().defaultConfig(l2)
                .override("text/", l2.withMetric(Metric.COSINE))
                .override("text/ip/", l2.withMetric(Metric.INNER_PRODUCT))
                .build());
        for (String key : List.of("plain", "text/a", "text/ip/a")) {
            h.process(upsert(key, "v", new float[] {2, 0}, null));
        }
        float[] q = {1, 0};
        assertThat(h.ask(query("plain", "q", q, 1, 0)).neighbours.get(0).distance).isEqualTo(1f); // squared L2
        assertThat(h.ask(query("text/a", "q", q, 1, 0)).neighbours.get(0).distance).isEqualTo(0f); // 1 - cos
        assertThat(h.ask(query("text/ip/a", "q", q, 1, 0)).neighbours.get(0).distance).isEqualTo(-1f); // 1 - dot
    }

    @Test
    void evictedKeysAreReloadedFromStateWithIdenticalAnswers() throws Exception {
        List<IndexEvent> events = RandomEvents.mixed(6, 120, 8, 7L);
        List<QueryResult> unbounded;
        try (IndexHarness big = IndexHarness.open(IndexSettings.builder().flatLimit(30).build())) {
            for (IndexEvent e : events) {
                big.process(e);
            }
            unbounded = big.drainResults();
        }
        h = IndexHarness.open(IndexSettings.builder().flatLimit(30).indexMemoryBytes(1).maxVectorsPerKey(1_000_000)
                .build());
        for (IndexEvent e : events) {
            h.process(e);
        }
        List<QueryResult> evicting = h.drainResults();
        assertThat(unbounded).hasSizeGreaterThan(50);
        assertThat(evicting).isEqualTo(unbounded);
    }
}
