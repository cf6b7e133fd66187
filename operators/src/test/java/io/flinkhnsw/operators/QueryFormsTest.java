package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.flinkhnsw.operators.IndexEvent.get;
import static io.flinkhnsw.operators.IndexEvent.query;
import static io.flinkhnsw.operators.IndexEvent.queryByExamples;
import static io.flinkhnsw.operators.IndexEvent.queryById;
import static io.flinkhnsw.operators.IndexEvent.upsert;
import static io.flinkhnsw.operators.IndexHarness.ids;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query forms beside a vector query, through the keyed operator on RocksDB: by id, by like and
 * unlike examples, get, payload-only update, the kNN vote, unknown ids, and refused requests
 * answered with their error.
 */
class QueryFormsTest {
    private static final int DIM = 8;
    private IndexHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /** {@code n} random vectors under ids v0.. in {@code key}, each with payload {"i":i}; returns them. */
    private float[][] load(String key, int n, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) {
            vectors[i] = RandomEvents.vector(rnd, DIM);
            h.process(upsert(key, "v" + i, vectors[i], "{\"i\":" + i + "}"));
        }
        assertThat(h.drainRejected()).isEmpty();
        return vectors;
    }

    /** With a one-byte budget, an event of another key evicts every key but that one. */
    private void evictUnless(boolean cold) throws Exception {
        if (cold) {
            h.process(upsert("other", "x", new float[] {1}, null));
        }
    }

    /** Flat key (20 vectors) and graph key (300 vectors, flat limit 30), in memory or evicted after every event. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void queryByIdSearchesWithTheStoredVectorAndLeavesTheIdOut(boolean cold) throws Exception {
        IndexSettings.Builder settings = IndexSettings.builder().flatLimit(30);
        h = IndexHarness.open(cold ? settings.indexMemoryBytes(1).maxVectorsPerKey(1_000_000).build() : settings.build());
        for (String key : List.of("flat", "graph")) {
            float[][] vectors = load(key, key.equals("flat") ? 20 : 300, 3);
            for (int probe : new int[] {0, 7, 19}) {
                QueryResult byVector = h.ask(query(key, "qv", vectors[probe], 6, 60));
                evictUnless(cold);
                QueryResult byId = h.ask(queryById(key, "qi", "v" + probe, 5, 60));
                assertThat(ids(byVector).get(0)).isEqualTo("v" + probe);
                assertThat(byId.neighbours).as("%s key, probe %d", key, probe)
                        .isEqualTo(byVector.neighbours.subList(1, 6));
                assertThat(byId.error).isNull();
                // the default ef too leaves the id out and returns k others
                assertThat(ids(h.ask(queryById(key, "qd", "v" + probe, 5, 0)))).hasSize(5).doesNotContain("v" + probe);
            }
        }
        assertThat(h.drainRejected()).isEmpty();
    }

    @Test
    void likeAndUnlikeSearchWithTheAverageVectorAndLeaveTheExamplesOut() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.L2)));
        h.process(upsert("k", "a", new float[] {0, 0}, null));
        h.process(upsert("k", "b", new float[] {2, 0}, null));
        h.process(upsert("k", "c", new float[] {10, 0}, null));
        h.process(upsert("k", "near-avg", new float[] {1, 0.5f}, null));
        h.process(upsert("k", "near-away", new float[] {-8, 0.5f}, null));
        // avg(a, b) = (1, 0)
        QueryResult like = h.ask(queryByExamples("k", "q", new String[] {"a", "b"}, null, 1, 0));
        assertThat(like.neighbours).containsExactly(new Neighbour("near-avg", 0.25f, null));
        // 2 (1, 0) - (10, 0) = (-8, 0); c is an example too and never comes back
        QueryResult away = h.ask(queryByExamples("k", "q", new String[] {"a", "b"}, new String[] {"c"}, 5, 0));
        assertThat(away.neighbours.get(0)).isEqualTo(new Neighbour("near-away", 0.25f, null));
        assertThat(ids(away)).containsExactly("near-away", "near-avg");
        assertThat(h.drainRejected()).isEmpty();
    }

    @Test
    void underCosineExamplesAreNormalisedAsTheMetricNeeds() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.COSINE)));
        h.process(upsert("k", "x", new float[] {100, 0}, null));
        h.process(upsert("k", "y", new float[] {0, 1}, null));
        h.process(upsert("k", "diagonal", new float[] {1, 1}, null));
        h.process(upsert("k", "x-ish", new float[] {1, 0.1f}, null));
        // unit x and unit y average to the diagonal, though x was stored 100 times longer
        assertThat(ids(h.ask(queryByExamples("k", "q", new String[] {"x", "y"}, null, 1, 0)))).containsExactly("diagonal");
        assertThat(ids(h.ask(queryById("k", "q", "x", 1, 0)))).containsExactly("x-ish");
        QueryResult got = h.ask(get("k", "g", "x"));
        assertThat(got.vector).containsExactly(1f, 0f);
    }

    @Test
    void anUnknownIdIsAnsweredWithAnErrorNotADeadLetter() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.L2)));
        h.process(upsert("k", "a", new float[] {0, 0}, null));
        QueryResult byId = h.ask(queryById("k", "q1", "item-42", 3, 0));
        assertThat(byId.error).isEqualTo("unknown id: item-42");
        assertThat(byId.neighbours).isEmpty();
        assertThat(byId.queryId).isEqualTo("q1");
        QueryResult like = h.ask(queryByExamples("k", "q2", new String[] {"a", "gone"}, new String[] {"a"}, 3, 0));
        assertThat(like.error).isEqualTo("unknown id: gone");
        assertThat(h.ask(queryById("no-such-key", "q3", "a", 3, 0)).error).isEqualTo("unknown id: a");
        QueryResult got = h.ask(get("k", "q4", "item-42"));
        assertThat(got.get).isTrue();
        assertThat(got.error).isEqualTo("unknown id: item-42");
        assertThat(got.vector).isNull();
        assertThat(h.drainRejected()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void getAnswersWithTheStoredVectorAndPayload(boolean cold) throws Exception {
        IndexSettings.Builder settings = IndexSettings.builder().flatLimit(30);
        h = IndexHarness.open(cold ? settings.indexMemoryBytes(1).maxVectorsPerKey(1_000_000).build() : settings.build());
        float[][] vectors = load("graph", 100, 5);
        for (int i : new int[] {0, 50, 99}) {
            evictUnless(cold);
            QueryResult got = h.ask(get("graph", "g" + i, "v" + i));
            assertThat(got.get).isTrue();
            assertThat(got.id).isEqualTo("v" + i);
            assertThat(got.vector).containsExactly(vectors[i]);
            assertThat(got.payload).isEqualTo("{\"i\":" + i + "}");
            assertThat(got.error).isNull();
        }
        // a replaced graph vector: a new node whose vector is written as a single record
        float[] moved = RandomEvents.vector(new SplittableRandom(1), DIM);
        h.process(upsert("graph", "v50", moved, null));
        evictUnless(cold);
        QueryResult got = h.ask(get("graph", "g", "v50"));
        assertThat(got.vector).containsExactly(moved);
        assertThat(got.payload).isNull();
    }

    @Test
    void anUpsertWithoutAVectorReplacesOnlyThePayload() throws Exception {
        h = IndexHarness.open(IndexSettings.builder().flatLimit(30).build());
        float[][] vectors = load("graph", 100, 9);
        h.snapshot(1L); // writes the key's changes: nothing is pending from here on
        long bytes = h.function().indexMemoryBytes();
        QueryResult before = h.ask(query("graph", "q", vectors[10], 5, 50));

        h.process(upsert("graph", "v10", null, "{\"price\":9}"));
        assertThat(h.drainRejected()).isEmpty();
        assertThat(h.bufferedBytes()).as("graph and vectors untouched: nothing to write back").isZero();
        assertThat(h.function().indexMemoryBytes()).isEqualTo(bytes);
        QueryResult after = h.ask(query("graph", "q", vectors[10], 5, 50));
        assertThat(after.neighbours.get(0)).isEqualTo(new Neighbour("v10", 0f, "{\"price\":9}"));
        assertThat(after.neighbours.subList(1, 5)).isEqualTo(before.neighbours.subList(1, 5));
        assertThat(after.indexSize).isEqualTo(100);
        assertThat(h.ask(get("graph", "g", "v10")).vector).containsExactly(vectors[10]);

        h.process(upsert("graph", "nope", null, "{\"price\":1}"));
        h.process(upsert("other-key", "v10", null, "{\"price\":1}"));
        List<RejectedEvent> rejected = h.drainRejected();
        assertThat(rejected).hasSize(2).allSatisfy(r -> assertThat(r.reason).contains("unknown id").contains("send a vector"));
        assertThat(h.drainResults()).isEmpty();
    }

    @Test
    void theVoteIsTheMajorityOverTheNeighboursThatHaveTheField() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.L2)));
        // nearest first from (0): at 1..6
        h.process(upsert("k", "n1", new float[] {1}, "{\"label\":\"cat\"}"));
        h.process(upsert("k", "n2", new float[] {2}, "{\"label\":\"dog\"}"));
        h.process(upsert("k", "n3", new float[] {3}, "{\"other\":1}"));
        h.process(upsert("k", "n4", new float[] {4}, "{\"label\":\"dog\"}"));
        h.process(upsert("k", "n5", new float[] {5}, "{\"label\":null}"));
        h.process(upsert("k", "n6", new float[] {6}, "{\"label\":\"cat\"}"));
        float[] origin = {0};
        assertThat(h.ask(query("k", "q", origin, 4, 0).withVote("label")).vote).isEqualTo(new Vote("\"dog\"", 2 / 3.0));
        // 2 cats, 2 dogs: the nearest neighbour's label wins the tie
        assertThat(h.ask(query("k", "q", origin, 6, 0).withVote("label")).vote).isEqualTo(new Vote("\"cat\"", 0.5));
        assertThat(h.ask(query("k", "q", origin, 6, 0).withVote("colour")).vote).isEqualTo(new Vote(null, 0));
        assertThat(h.ask(query("k", "q", origin, 6, 0)).vote).isNull();
        // JSON values: numbers by value, not by text; a string "1" is another value
        h.process(upsert("n", "a", new float[] {1}, "{\"label\":1}"));
        h.process(upsert("n", "b", new float[] {2}, "{\"label\":\"1\"}"));
        h.process(upsert("n", "c", new float[] {3}, "{\"label\":1.0}"));
        h.process(upsert("n", "d", new float[] {4}, "{\"label\":true}"));
        assertThat(h.ask(query("n", "q", origin, 4, 0).withVote("label")).vote).isEqualTo(new Vote("1", 0.5));
        assertThat(h.ask(queryById("n", "q", "a", 3, 0).withVote("label")).vote).isEqualTo(new Vote("\"1\"", 1 / 3.0));
    }

    @Test
    void refusedQueriesAndGetsAreAnsweredWithTheirError() throws Exception {
        h = IndexHarness.open(IndexSettings.of(HnswConfig.defaults(Metric.L2)));
        h.process(upsert("k", "a", new float[] {0, 0}, null));
        IndexEvent both = queryById("k", "q-both", "a", 3, 0);
        both.vector = new float[] {1, 1};
        String[] tooMany = new String[Limits.MAX_EXAMPLE_IDS + 1];
        java.util.Arrays.fill(tooMany, "a");
        List<IndexEvent> bad = List.of(both,
                queryByExamples("k", "q-many", tooMany, null, 3, 0),
                queryByExamples("k", "q-empty", new String[0], null, 3, 0),
                queryByExamples("k", "q-unlike", null, new String[] {"a"}, 3, 0),
                get("k", "q-get", null),
                query("k", "q-dim", new float[] {1, 1, 1}, 3, 0),
                query("k", null, new float[] {1, 1}, 3, 0));
        List<QueryResult> answers = new ArrayList<>();
        for (IndexEvent e : bad) {
            h.process(e);
            answers.addAll(h.drainResults());
        }
        List<RejectedEvent> rejected = h.drainRejected();
        assertThat(rejected).hasSize(bad.size());
        assertThat(answers).as("every refused request with a queryId is answered").hasSize(bad.size() - 1);
        for (int i = 0; i < answers.size(); i++) {
            assertThat(answers.get(i).queryId).isEqualTo(bad.get(i).queryId);
            assertThat(answers.get(i).error).isEqualTo(rejected.get(i).reason);
            assertThat(answers.get(i).neighbours).isEmpty();
        }
        assertThat(answers.get(0).error).contains("'vector'").contains("'id'");
        assertThat(answers.get(1).error).contains("too many ids");
        assertThat(answers.get(4).get).isTrue();
        assertThat(answers.get(5).error).containsIgnoringCase("dimension");
        // refused upstream: only answered, not rejected again
        h.process(IndexEvent.refused(IndexEvent.Op.QUERY, "k", "q-up", "malformed"));
        assertThat(h.drainResults()).containsExactly(QueryResult.error("q-up", "k", false, "malformed"));
        assertThat(h.drainRejected()).isEmpty();
    }

    @Test
    void aRestoredOperatorAnswersByIdAsBefore() throws Exception {
        IndexSettings settings = IndexSettings.builder().flatLimit(30).build();
        h = IndexHarness.open(settings);
        load("graph", 200, 11);
        List<IndexEvent> asks = List.of(queryById("graph", "a", "v3", 5, 0),
                queryByExamples("graph", "b", new String[] {"v1", "v2"}, new String[] {"v9"}, 5, 0).withVote("i"),
                get("graph", "c", "v150"));
        List<QueryResult> before = h.feed(asks);
        OperatorSubtaskState snapshot = h.snapshot(1L);
        h.close();
        h = IndexHarness.open(settings, 1, 0, snapshot);
        assertThat(h.feed(asks)).isEqualTo(before);
        assertThat(before.get(2).vector).isNotNull();
    }
}
