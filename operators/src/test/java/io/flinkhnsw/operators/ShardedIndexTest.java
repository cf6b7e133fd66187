package io.flinkhnsw.operators;

import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Sharded keys through the three stages of {@link ShardedIndex} ({@link ShardedHarness}): with exact
 * (flat) shards every answer, of every query form, equals the unsharded index's; every id's upserts
 * and deletes go to one shard, before and after a restore; a restore at parallelism 1 or 4 of a
 * sharded index taken at 2 answers identically; a key keeps the shard count it was created with.
 */
class ShardedIndexTest {
    private static final int DIM = 8;

    private static IndexSettings shards(int n) {
        return IndexSettings.builder().shards(n).build();
    }

    @Test
    void exactShardsAnswerAsTheUnshardedIndex() throws Exception {
        List<IndexEvent> events = new ArrayList<>(RandomEvents.mixed(3, 300, DIM, 21L));
        SplittableRandom rnd = new SplittableRandom(5);
        events.add(IndexEvent.upsert("key-0", "id-4", RandomEvents.vector(rnd, DIM), "{\"i\":4}"));
        events.add(IndexEvent.upsert("key-0", "id-5", RandomEvents.vector(rnd, DIM), "{\"i\":4}"));
        events.add(IndexEvent.upsert("key-0", "id-4", null, "{\"i\":5}"));
        events.add(IndexEvent.queryById("key-0", "by-id", "id-4", 10, 0));
        events.add(IndexEvent.queryByExamples("key-0", "like", new String[] {"id-4", "id-5"}, new String[] {"id-4"}, 7, 0)
                .withVote("i"));
        events.add(IndexEvent.get("key-0", "get", "id-4"));
        events.add(IndexEvent.queryById("key-1", "unknown", "nope", 3, 0));
        events.add(IndexEvent.get("key-1", "get-unknown", "nope"));
        events.add(IndexEvent.drop("key-2"));
        events.add(IndexEvent.query("key-2", "after-drop", RandomEvents.vector(rnd, DIM), 5, 0));
        events.addAll(RandomEvents.mixed(3, 30, DIM, 22L));
        events.addAll(RandomEvents.queries(3, 10, DIM, 23L));

        List<QueryResult> expected;
        try (ShardedHarness one = ShardedHarness.open(shards(1), 2, null)) {
            expected = one.feed(events);
            assertThat(one.shardEvents).as("unsharded keys stay in stage 1").isEmpty();
        }
        try (ShardedHarness three = ShardedHarness.open(shards(3), 2, null)) {
            assertThat(three.feed(events)).isEqualTo(expected);
            assertOneShardPerId(three.shardEvents, 3);
            assertThat(three.shardEvents.stream().map(e -> e.key).distinct()).hasSize(9);
        }
        assertThat(expected).anySatisfy(r -> assertThat(r.neighbours).hasSize(12));
        assertThat(expected).filteredOn(r -> r.queryId.equals("like")).singleElement()
                .satisfies(r -> assertThat(r.vote).isNotNull())
                .satisfies(r -> assertThat(IndexHarness.ids(r)).hasSize(7).doesNotContain("id-4", "id-5"));
        assertThat(expected).filteredOn(r -> r.queryId.equals("get")).singleElement()
                .satisfies(r -> assertThat(r.payload).isEqualTo("{\"i\":5}"));
        assertThat(expected).filteredOn(r -> r.queryId.equals("unknown")).singleElement()
                .satisfies(r -> assertThat(r.error).isEqualTo("unknown id: nope"));
        assertThat(expected).filteredOn(r -> r.queryId.equals("after-drop")).singleElement()
                .satisfies(r -> assertThat(r.indexSize).isZero());
    }

    @ParameterizedTest(name = "2 -> {0}")
    @ValueSource(ints = {1, 4})
    void rescaleAnswersIdentically(int parallelism) throws Exception {
        // graphs in the shards: answers depend on every insert in order, not only on the vectors
        IndexSettings settings = IndexSettings.builder().shards(2).flatLimit(40).build();
        List<IndexEvent> history = RandomEvents.mixed(3, 200, DIM, 11L);
        List<IndexEvent> next = RandomEvents.concat(RandomEvents.queries(3, 6, DIM, 12L),
                RandomEvents.mixed(3, 40, DIM, 13L), RandomEvents.queries(3, 6, DIM, 12L));
        ShardedHarness.Snapshot snapshot;
        List<QueryResult> expected;
        List<IndexEvent> routedBefore;
        try (ShardedHarness two = ShardedHarness.open(settings, 2, null)) {
            two.feed(history);
            snapshot = two.snapshot(1L);
            routedBefore = new ArrayList<>(two.shardEvents);
            expected = two.feed(next);
        }
        try (ShardedHarness rescaled = ShardedHarness.open(settings, parallelism, snapshot)) {
            assertThat(rescaled.feed(next)).isEqualTo(expected);
            List<IndexEvent> all = new ArrayList<>(routedBefore);
            all.addAll(rescaled.shardEvents);
            assertOneShardPerId(all, 2);
        }
        assertThat(expected).anySatisfy(r -> assertThat(r.neighbours).hasSize(10));
    }

    @Test
    void aKeyKeepsTheShardCountItWasCreatedWith() throws Exception {
        IndexSettings before = IndexSettings.builder().shards(1)
                .override("a", new IndexSettings.KeyOverride(HnswConfig.defaults(Metric.L2), 0, null, 2)).build();
        SplittableRandom rnd = new SplittableRandom(3);
        ShardedHarness.Snapshot snapshot;
        try (ShardedHarness h = ShardedHarness.open(before, 2, null)) {
            h.feed(upserts("a", 0, 40, rnd));
            h.feed(upserts("u", 0, 40, rnd));
            assertThat(subKeys(h.shardEvents)).hasSize(2).allMatch(k -> k.startsWith("a#"));
            snapshot = h.snapshot(1L);
        }
        try (ShardedHarness h = ShardedHarness.open(shards(3), 2, snapshot)) {
            h.feed(upserts("a", 40, 80, rnd));
            h.feed(upserts("u", 40, 80, rnd));
            h.feed(upserts("n", 0, 40, rnd));
            assertThat(subKeys(h.shardEvents)).as("a keeps 2 shards, u stays unsharded, n is new with 3")
                    .hasSize(5).allMatch(k -> k.startsWith("a#") || k.startsWith("n#"));
            assertThat(h.feed(List.of(IndexEvent.query("a", "qa", RandomEvents.vector(rnd, DIM), 5, 0),
                    IndexEvent.query("u", "qu", RandomEvents.vector(rnd, DIM), 5, 0))))
                    .extracting(r -> r.indexSize).containsExactly(80, 80);
            h.shardEvents.clear();
            h.feed(List.of(IndexEvent.drop("a")));
            h.shardEvents.clear();
            h.feed(upserts("a", 0, 40, rnd));
            assertThat(subKeys(h.shardEvents)).as("dropped and created again: the new count").hasSize(3);
        }
    }

    @Test
    void aQueryWithoutAnEfSearchesAtTheDefaultTheKeyWasCreatedWith() throws Exception {
        HnswConfig created = HnswConfig.defaults(Metric.L2).withDefaultEf(200);
        SplittableRandom rnd = new SplittableRandom(5);
        ShardedHarness.Snapshot snapshot;
        try (ShardedHarness h = ShardedHarness.open(IndexSettings.builder().defaultConfig(created).shards(2).build(), 2,
                null)) {
            h.feed(upserts("old", 0, 40, rnd));
            snapshot = h.snapshot(1L);
        }
        IndexSettings now = IndexSettings.builder().defaultConfig(created.withDefaultEf(40)).shards(2).build();
        try (ShardedHarness h = ShardedHarness.open(now, 2, snapshot)) {
            h.feed(upserts("new", 0, 40, rnd));
            h.shardEvents.clear();
            h.feed(List.of(IndexEvent.query("old", "q-old", RandomEvents.vector(rnd, DIM), 5, 0),
                    IndexEvent.query("new", "q-new", RandomEvents.vector(rnd, DIM), 5, 0),
                    IndexEvent.query("old", "q-asked", RandomEvents.vector(rnd, DIM), 5, 60)));
            assertThat(h.shardEvents).filteredOn(e -> e.op == IndexEvent.Op.QUERY)
                    .extracting(e -> ShardKeys.keyOf(e.key), e -> e.ef)
                    .containsExactlyInAnyOrder(
                            tuple("old", ShardRouterFunction.shardEf(200, 2, 5)), tuple("old", ShardRouterFunction.shardEf(200, 2, 5)),
                            tuple("new", ShardRouterFunction.shardEf(40, 2, 5)), tuple("new", ShardRouterFunction.shardEf(40, 2, 5)),
                            tuple("old", ShardRouterFunction.shardEf(60, 2, 5)), tuple("old", ShardRouterFunction.shardEf(60, 2, 5)));
        }
    }

    private static List<IndexEvent> upserts(String key, int from, int to, SplittableRandom rnd) {
        List<IndexEvent> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(IndexEvent.upsert(key, "id-" + i, RandomEvents.vector(rnd, DIM), null));
        }
        return out;
    }

    private static Set<String> subKeys(List<IndexEvent> routed) {
        return routed.stream().map(e -> e.key).collect(Collectors.toSet());
    }

    /** Every id's upserts and deletes went to the shard its stable hash names, of its own key. */
    /**
     * SIFT sample, graph shards (flat limit 256): a key in two shards, each searching at
     * {@link ShardRouterFunction#shardEf}, reaches at least the recall@10 of the unsharded graph at
     * the same ef, measured against the exact neighbours.
     */
    @ParameterizedTest
    @ValueSource(ints = {16, 32, 64})
    void graphShardsKeepTheUnshardedRecallAtTheSameEf(int ef) throws Exception {
        Path dir = SiftRecallTest.locate(SiftRecallTest.SET);
        float[][] base = Fvecs.readFloats(dir.resolve("base.fvecs"));
        float[][] queries = Fvecs.readFloats(dir.resolve("query.fvecs"));
        int[][] truth = Fvecs.readInts(dir.resolve("groundtruth.ivecs"));
        List<IndexEvent> events = new ArrayList<>();
        for (int i = 0; i < base.length; i++) {
            events.add(IndexEvent.upsert("sift", Integer.toString(i), base[i], null));
        }
        for (int q = 0; q < queries.length; q++) {
            events.add(IndexEvent.query("sift", "q" + q, queries[q], 10, ef));
        }
        double[] recall = new double[3];
        for (int shards = 1; shards <= 2; shards++) {
            IndexSettings settings = IndexSettings.builder().defaultConfig(HnswConfig.defaults(Metric.L2)).shards(shards)
                    .flatLimit(256).build();
            try (ShardedHarness h = ShardedHarness.open(settings, 2, null)) {
                List<QueryResult> answers = h.feed(events);
                assertThat(answers).hasSize(queries.length);
                int found = 0;
                for (QueryResult r : answers) {
                    int q = Integer.parseInt(r.queryId.substring(1));
                    Set<String> top = new HashSet<>();
                    for (int i = 0; i < 10; i++) {
                        top.add(Integer.toString(truth[q][i]));
                    }
                    found += (int) r.neighbours.stream().filter(n -> top.contains(n.id)).count();
                }
                recall[shards] = found / (10.0 * queries.length);
                if (shards == 2) {
                    assertThat(h.shardEvents).filteredOn(e -> e.op == IndexEvent.Op.QUERY)
                            .allSatisfy(e -> assertThat(e.ef).isEqualTo(ShardRouterFunction.shardEf(ef, 2, 10)));
                }
            }
        }
        assertThat(recall[1]).as("unsharded recall@10 at ef %d", ef).isLessThan(1.0);
        assertThat(recall[2]).as("recall@10 at ef %d: two shards against one graph", ef).isGreaterThanOrEqualTo(recall[1]);
    }

    @Test
    void aShardSearchesWithAShareOfTheKeysEf() {
        assertThat(ShardRouterFunction.shardEf(128, 1, 10)).isEqualTo(128);
        assertThat(ShardRouterFunction.shardEf(128, 2, 10)).isEqualTo(96);
        assertThat(ShardRouterFunction.shardEf(100, 3, 10)).isEqualTo(67);
        assertThat(ShardRouterFunction.shardEf(128, 64, 10)).isEqualTo(65);
        assertThat(ShardRouterFunction.shardEf(16, 8, 12)).as("never below the k searched").isEqualTo(12);
    }

    private static void assertOneShardPerId(List<IndexEvent> routed, int shards) {
        assertThat(routed).filteredOn(e -> e.op == IndexEvent.Op.UPSERT || e.op == IndexEvent.Op.DELETE)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(ShardKeys.shardNumberOf(e.key)).as(e.toString())
                        .isEqualTo(ShardKeys.shardOf(e.id, shards)));
    }
}
