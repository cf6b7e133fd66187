package io.flinkhnsw.operators;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.flinkhnsw.operators.IndexEvent.delete;
import static io.flinkhnsw.operators.IndexEvent.drop;
import static io.flinkhnsw.operators.IndexEvent.query;
import static io.flinkhnsw.operators.IndexEvent.upsert;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many keys on one subtask through the operator on RocksDB: a key in memory costs its vectors and
 * ids plus well under 1 KB, a byte budget evicts keys without
 * changing a single answer, a key bigger than the budget still works, a restore in the middle of
 * a key's switch from flat to graph answers identically, limits become dead letters with a reason,
 * and a drop removes a key for good (it may come back with another dimension); the counts the
 * gauges read follow all of it.
 */
class TenantsTest {
    private static final int DIM = 8;

    /** Feeds the events and collects the answers; no event may be rejected. */
    private static List<QueryResult> feed(IndexHarness h, List<IndexEvent> events) throws Exception {
        List<QueryResult> out = new ArrayList<>();
        for (IndexEvent e : events) {
            h.process(e);
            out.addAll(h.drainResults());
            assertThat(h.drainRejected()).as("rejected at %s", e).isEmpty();
        }
        return out;
    }

    /** Keys of very different sizes (tenant-0 largest), interleaved, with queries throughout. */
    private static List<IndexEvent> tenants(int keys, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<IndexEvent> out = new ArrayList<>();
        int[] next = new int[keys];
        for (int i = 0; i < 3_000; i++) {
            int key = Math.min(keys - 1, (int) (keys * Math.pow(random.nextDouble(), 2)));
            String name = "tenant-" + key;
            int roll = random.nextInt(20);
            if (roll == 0 && next[key] > 0) {
                out.add(delete(name, "v" + random.nextInt(next[key])));
            } else if (roll < 4) {
                out.add(query(name, "q" + i, RandomEvents.vector(random, DIM), 5, 0));
            } else {
                out.add(upsert(name, "v" + next[key]++, RandomEvents.vector(random, DIM), null));
            }
        }
        return out;
    }

    @Test
    void aByteBudgetEvictsKeysWithoutChangingAnAnswer() throws Exception {
        List<IndexEvent> events = tenants(40, 1);
        IndexSettings unbounded = IndexSettings.builder().flatLimit(200).build();
        List<QueryResult> expected;
        long allBytes;
        try (IndexHarness h = IndexHarness.open(unbounded)) {
            expected = feed(h, events);
            allBytes = h.function().indexMemoryBytes();
            assertThat(h.function().cachedKeys()).isEqualTo(40);
            KeyStats stats = h.function().stats();
            assertThat(stats.keys()).isEqualTo(40);
            assertThat(stats.graphKeys()).as("the largest keys became graphs").isPositive();
            assertThat(stats.flatKeys() + stats.graphKeys()).isEqualTo(40);
        }
        long budget = allBytes / 3;
        IndexSettings bounded = IndexSettings.builder().flatLimit(200).indexMemoryBytes(budget)
                .maxVectorsPerKey(1_000_000).build();
        try (IndexHarness h = IndexHarness.open(bounded)) {
            List<QueryResult> out = new ArrayList<>();
            int fewest = 40;
            for (IndexEvent e : events) {
                h.process(e);
                out.addAll(h.drainResults());
                HnswIndexFunction f = h.function();
                // after every event: within the budget, or only the key in use, alone
                assertThat(f.indexMemoryBytes() <= budget || f.cachedKeys() == 1).as("after %s", e).isTrue();
                fewest = Math.min(fewest, f.cachedKeys());
            }
            assertThat(out).isEqualTo(expected);
            assertThat(fewest).as("keys were evicted").isLessThan(40);
            assertThat(h.function().stats().keys()).as("keys out of memory are still counted").isEqualTo(40);
            // a snapshot restores the same keys, whatever was in memory
            OperatorSubtaskState snapshot = h.snapshot(1L);
            List<IndexEvent> probes = RandomEvents.queries(40, 1, DIM, 3).stream()
                    .map(q -> query(q.key.replace("key-", "tenant-"), q.queryId, q.vector, 5, 0)).toList();
            List<QueryResult> before = feed(h, probes);
            try (IndexHarness restored = IndexHarness.open(bounded, 1, 0, snapshot)) {
                assertThat(feed(restored, probes)).isEqualTo(before);
                assertThat(restored.function().stats().keys()).isEqualTo(40);
            }
        }
        // one key larger than the whole budget still works, alone
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().flatLimit(200).indexMemoryBytes(1)
                .maxVectorsPerKey(1_000_000).build())) {
            assertThat(feed(h, events)).isEqualTo(expected);
            assertThat(h.function().cachedKeys()).isEqualTo(1);
        }
    }

    @Test
    void writesToKeysOutOfMemoryAreLoggedAndAppliedAtTheirNextLoadGivingTheSameAnswers() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        List<IndexEvent> grow = new ArrayList<>();
        for (int i = 0; i < 260; i++) {
            grow.add(upsert("big", "v" + i, RandomEvents.vector(random, DIM), null)); // a graph at 200
        }
        List<IndexEvent> writes = new ArrayList<>();
        int[] next = new int[12];
        for (int i = 0; i < 1_500; i++) {
            int key = random.nextInt(next.length);
            String name = key == 0 ? "big" : "tenant-" + key;
            int known = key == 0 ? 260 + next[0] : next[key];
            int roll = random.nextInt(10);
            if (roll == 0) {
                writes.add(delete(name, "v" + random.nextInt(known + 5))); // unknown ids too
            } else if (roll < 3 && known > 0) {
                writes.add(upsert(name, "v" + random.nextInt(known), RandomEvents.vector(random, DIM), "{\"r\":" + i + "}"));
            } else {
                writes.add(upsert(name, "v" + (key == 0 ? 260 + next[0]++ : next[key]++),
                        RandomEvents.vector(random, DIM), roll == 9 ? "{\"n\":" + i + "}" : null));
            }
        }
        List<IndexEvent> probes = new ArrayList<>();
        for (int key = 0; key < next.length; key++) {
            String name = key == 0 ? "big" : "tenant-" + key;
            probes.add(query(name, "q-" + key, RandomEvents.vector(random, DIM), 5, 0));
        }
        IndexSettings unbounded = IndexSettings.builder().flatLimit(200).build();
        List<QueryResult> expected;
        long liveVectors;
        try (IndexHarness h = IndexHarness.open(unbounded)) {
            expected = feed(h, RandomEvents.concat(grow, writes, probes));
            liveVectors = h.function().stats().liveVectors();
            assertThat(h.function().metrics().deferredWrites()).as("every key stays in memory").isZero();
        }
        // a one-byte budget keeps only the key in use: every write to another key finds it out of memory
        IndexSettings bounded = IndexSettings.builder().flatLimit(200).indexMemoryBytes(1).maxVectorsPerKey(1_000_000)
                .build();
        try (IndexHarness h = IndexHarness.open(bounded)) {
            feed(h, grow);
            feed(h, writes);
            OperatorMetrics metrics = h.function().metrics();
            assertThat(metrics.deferredWrites()).as("most writes are logged").isGreaterThan(writes.size() / 2);
            assertThat(metrics.reloads()).as("and load nothing").isLessThan(writes.size() / 4);
            // logged writes are keyed state: a restore applies them as the original does
            OperatorSubtaskState snapshot = h.snapshot(1L);
            assertThat(feed(h, probes)).isEqualTo(expected.subList(expected.size() - probes.size(), expected.size()));
            assertThat(h.function().stats().liveVectors()).as("counted once applied").isEqualTo(liveVectors);
            try (IndexHarness restored = IndexHarness.open(bounded, 1, 0, snapshot)) {
                assertThat(feed(restored, probes))
                        .isEqualTo(expected.subList(expected.size() - probes.size(), expected.size()));
            }
        }
    }

    @Test
    void aKeyInMemoryCostsItsVectorsAndIdsPlusWellUnderOneKilobyte() throws Exception {
        int keys = 2_000;
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            SplittableRandom random = new SplittableRandom(8);
            for (int k = 0; k < keys; k++) {
                h.process(upsert("tenant-" + k, "v0", RandomEvents.vector(random, DIM), null));
            }
            h.snapshot(1L); // written back: no marks left
            long vectorsAndIds = keys * (DIM * 4L + io.flinkhnsw.hnsw.RamUsage.string(2));
            long perKey = (h.function().indexMemoryBytes() - vectorsAndIds) / keys;
            assertThat(h.function().cachedKeys()).isEqualTo(keys);
            // everything a key in memory costs besides its vectors and ids: index, write-back, cache entry, key
            assertThat(perKey).isLessThan(640);
        }
    }

    @Test
    void aRestoreWhileAKeyIsSwitchingToAGraphAnswersIdentically() throws Exception {
        IndexSettings settings = IndexSettings.builder().flatLimit(100).build();
        SplittableRandom random = new SplittableRandom(2);
        List<IndexEvent> history = new ArrayList<>();
        for (int i = 0; i < 110; i++) {
            history.add(upsert("k", "v" + i, RandomEvents.vector(random, DIM), "{\"i\":" + i + "}"));
        }
        List<IndexEvent> later = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            later.add(i % 3 == 0 ? delete("k", "v" + random.nextInt(150))
                    : upsert("k", "v" + (110 + i), RandomEvents.vector(random, DIM), null));
            later.add(query("k", "q" + i, RandomEvents.vector(random, DIM), 10, 0));
        }
        try (IndexHarness original = IndexHarness.open(settings)) {
            List<QueryResult> flat = feed(original, List.of(query("k", "before", history.get(0).vector, 3, 0)));
            assertThat(flat.get(0).neighbours).isEmpty();
            feed(original, history.subList(0, 99));
            assertThat(original.function().stats().flatKeys()).isEqualTo(1);
            feed(original, history.subList(99, 110));
            assertThat(original.function().stats().graphKeys()).isEqualTo(1);
            // the backlog reached 100 and drains 8 per write: 92 after the 100th, 22 after 10 more writes
            OperatorSubtaskState midSwitch = original.snapshot(1L);
            List<QueryResult> expected = feed(original, later);
            assertThat(expected.get(expected.size() - 1).neighbours).hasSize(10);
            try (IndexHarness restored = IndexHarness.open(settings, 1, 0, midSwitch)) {
                assertThat(feed(restored, later)).isEqualTo(expected);
            }
        }
    }

    @Test
    void upsertsBeyondAKeysLimitAreDeadLetteredWithAReason() throws Exception {
        IndexSettings settings = IndexSettings.builder().maxVectorsPerKey(5)
                .override("big-", IndexSettings.builder().build().defaultConfig(), 8).build();
        try (IndexHarness h = IndexHarness.open(settings)) {
            SplittableRandom random = new SplittableRandom(4);
            for (int i = 0; i < 10; i++) {
                h.process(upsert("small", "v" + i, RandomEvents.vector(random, DIM), null));
                h.process(upsert("big-1", "v" + i, RandomEvents.vector(random, DIM), null));
            }
            List<RejectedEvent> rejected = h.drainRejected();
            assertThat(rejected).hasSize(5 + 2);
            assertThat(rejected).allSatisfy(r -> assertThat(r.reason)
                    .contains("vectors, its limit").contains("raise the limit or shard the key"));
            assertThat(rejected.get(0).reason).startsWith("key 'small' holds 5 vectors");
            h.process(upsert("small", "v2", RandomEvents.vector(random, DIM), null));
            assertThat(h.drainRejected()).as("replacing a vector of a full key is fine").isEmpty();
            assertThat(h.ask(query("small", "q", RandomEvents.vector(random, DIM), 10, 0)).indexSize).isEqualTo(5);
            assertThat(h.ask(query("big-1", "q", RandomEvents.vector(random, DIM), 10, 0)).indexSize).isEqualTo(8);
        }
        // by default the limit is what fits the budget
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().indexMemoryBytes(10_000).build())) {
            SplittableRandom random = new SplittableRandom(5);
            int accepted = 0;
            for (int i = 0; i < 200; i++) {
                h.process(upsert("k", "v" + i, RandomEvents.vector(random, DIM), null));
                accepted += h.drainRejected().isEmpty() ? 1 : 0;
            }
            assertThat(accepted).isBetween(10, 199);
        }
    }

    @Test
    void aDropRemovesTheKeyForGoodAndTheKeyMayComeBackWithAnotherDimension() throws Exception {
        IndexSettings settings = IndexSettings.builder().flatLimit(20).indexMemoryBytes(1).maxVectorsPerKey(1_000).build();
        SplittableRandom random = new SplittableRandom(6);
        try (IndexHarness h = IndexHarness.open(settings)) {
            for (int i = 0; i < 60; i++) {
                h.process(upsert("shop-1", "v" + i, RandomEvents.vector(random, DIM), "{\"p\":" + i + "}"));
                h.process(upsert("shop-2", "v" + i, RandomEvents.vector(random, DIM), null));
            }
            h.process(drop("nobody"));
            h.process(drop("shop-1")); // not in memory: the one-byte budget keeps only shop-2
            assertThat(h.drainRejected()).isEmpty();
            assertThat(h.function().stats().keys()).isEqualTo(1);
            assertThat(h.function().stats().liveVectors()).isEqualTo(60);
            QueryResult gone = h.ask(query("shop-1", "q1", RandomEvents.vector(random, DIM), 5, 0));
            assertThat(gone.neighbours).isEmpty();
            assertThat(gone.indexSize).isZero();
            // back with another dimension, and no payload left from before
            h.process(upsert("shop-1", "v1", new float[] {1, 2, 3}, null));
            QueryResult back = h.ask(query("shop-1", "q2", new float[] {1, 2, 3}, 5, 0));
            assertThat(back.neighbours).containsExactly(new Neighbour("v1", 0f, null));
            h.process(upsert("shop-2", "extra", RandomEvents.vector(random, DIM), null));
            h.process(drop("shop-2")); // in memory, with unwritten changes
            OperatorSubtaskState snapshot = h.snapshot(1L);
            try (IndexHarness restored = IndexHarness.open(settings, 1, 0, snapshot)) {
                assertThat(restored.ask(query("shop-2", "q3", RandomEvents.vector(random, DIM), 5, 0)).indexSize).isZero();
                assertThat(restored.ask(query("shop-1", "q4", new float[] {1, 2, 3}, 5, 0)).neighbours)
                        .containsExactly(new Neighbour("v1", 0f, null));
                assertThat(restored.function().stats().keys()).isEqualTo(1);
                assertThat(restored.function().stats().liveVectors()).isEqualTo(1);
            }
        }
    }
}
