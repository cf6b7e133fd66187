package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KeyWriteBack} and {@link KeyedIndexState} inside a keyed operator on RocksDB, without the
 * index operator: what a flush writes is what a load reads back (both tiers, the backlog and its
 * order, deletes and replacements), vectors and links go out as single entries until half a block
 * would have one and then as blocks (a freed slot's single overriding its block's stale copy), a
 * graph stored before link blocks is read and moves into blocks as it changes, and a key stored in
 * the v1 layout is read and rewritten in the current layout at its next flush, its v1 entries gone.
 */
class KeyedIndexStateTest {
    private static final int DIM = 6;
    private static final HnswConfig CONFIG = HnswConfig.defaults(Metric.L2);

    /** Runs whatever the test set against the state, in the context of the element's key. */
    static final class Probe extends KeyedProcessFunction<String, String, String> {
        transient KeyedIndexState state;
        transient Consumer<Probe> action;

        @Override
        public void open(OpenContext ctx) {
            state = new KeyedIndexState(getRuntimeContext());
        }

        @Override
        public void processElement(String key, Context ctx, Collector<String> out) {
            action.accept(this);
        }

        int booleans(String name) throws Exception {
            MapState<Integer, Boolean> map = getRuntimeContext().getMapState(new MapStateDescriptor<>(name,
                    IntSerializer.INSTANCE, BooleanSerializer.INSTANCE));
            int n = 0;
            for (Integer ignored : map.keys()) {
                n++;
            }
            return n;
        }

        List<byte[]> values(String name) throws Exception {
            MapState<Integer, byte[]> map = getRuntimeContext().getMapState(new MapStateDescriptor<>(name,
                    IntSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE));
            List<byte[]> out = new ArrayList<>();
            map.values().forEach(out::add);
            return out;
        }

        int entries(String name) throws Exception {
            MapState<Integer, byte[]> map = getRuntimeContext().getMapState(new MapStateDescriptor<>(name,
                    IntSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE));
            int n = 0;
            for (Integer ignored : map.keys()) {
                n++;
            }
            return n;
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(Probe probe) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(probe), k -> k, Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static void on(KeyedOneInputStreamOperatorTestHarness<String, String, String> h, Probe probe, String key,
                           Consumer<Probe> action) throws Exception {
        probe.action = action;
        h.processElement(key, 0L);
    }

    private static float[] vector(SplittableRandom random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }

    private static List<String> answers(KeyIndex index, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int q = 0; q < 20; q++) {
            SearchResult r = index.search(vector(random), 5, 32);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                sb.append(r.id(i)).append('@').append(r.distance(i)).append(' ');
            }
            out.add(sb.toString());
        }
        out.add("size " + index.size() + " flat " + index.flatSize() + " graph " + index.isGraph());
        return out;
    }

    @Test
    void whatAFlushWritesALoadReadsBackAcrossTheTierSwitch() throws Exception {
        Probe probe = new Probe();
        List<List<String>> expected = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(probe)) {
            h.open();
            KeyWriteBack.Opened[] key = new KeyWriteBack.Opened[1];
            SplittableRandom random = new SplittableRandom(3);
            on(h, probe, "k", p -> key[0] = KeyWriteBack.create(p.state, CONFIG, 30, KeyWriteBack.LoadObserver.NONE));
            // flat only (22), then a drain into a new graph that is not done yet, then a graph with a refilled backlog
            int[] fresh = {25, 10, 80};
            int[] next = {0};
            for (int round = 0; round < fresh.length; round++) {
                int n = fresh[round];
                boolean churn = round != 1;
                on(h, probe, "k", p -> {
                    KeyIndex index = key[0].index();
                    for (int i = 0; i < n; i++) {
                        index.upsert("v" + next[0]++, vector(random));
                        if (churn && i % 9 == 4) {
                            index.upsert("v" + random.nextInt(next[0]), vector(random)); // a replacement
                            assertThat(index.delete("v" + (next[0] - 2))).isTrue();
                        }
                    }
                    assertThat(key[0].writeBack().dirty()).isTrue();
                    assertThat(key[0].writeBack().pendingBytes()).isPositive();
                    key[0].writeBack().flush();
                    assertThat(key[0].writeBack().dirty()).isFalse();
                    KeyWriteBack.Opened loaded = KeyWriteBack.load(p.state, 30, KeyWriteBack.LoadObserver.NONE);
                    assertThat(loaded.v1()).isFalse();
                    assertThat(answers(loaded.index(), 9)).isEqualTo(answers(index, 9));
                    expected.add(answers(index, 9));
                });
            }
            assertThat(expected.get(0)).last().asString().endsWith("graph false");
            assertThat(expected.get(1)).last().asString().contains("graph true").doesNotContain("flat 0 ");
            assertThat(expected.get(2)).last().asString().contains("graph true");
            on(h, probe, "other", p -> assertThat(KeyWriteBack.load(p.state, 30, KeyWriteBack.LoadObserver.NONE)).isNull());
            snapshot = h.snapshot(1L, 1L);
        }
        Probe restored = new Probe();
        try (var h = harness(restored)) {
            h.initializeState(snapshot);
            h.open();
            on(h, restored, "k", p -> assertThat(answers(KeyWriteBack.load(p.state, 30, KeyWriteBack.LoadObserver.NONE).index(), 9))
                    .isEqualTo(expected.get(2)));
        }
    }

    /** Every graph slot of the index: level, links per layer and tombstone, or free. */
    private static List<String> graphNodes(KeyIndex index) {
        List<String> out = new ArrayList<>();
        for (int node = 0; node < index.graphSlots(); node++) {
            StringBuilder sb = new StringBuilder(node + ":");
            if (!index.readGraphNode(node, (n, id, level, links, tombstone) -> {
                sb.append(id).append(" level ").append(level).append(tombstone ? " deleted" : "");
                for (int[] layer : links) {
                    sb.append(' ').append(java.util.Arrays.toString(layer));
                }
            })) {
                sb.append("free");
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void linksGoToSingleEntriesUntilHalfABlockThenToTheBlockAndAFreedSlotOverridesItsBlock() throws Exception {
        int per = KeyedIndexState.LINK_BLOCK_SLOTS;
        int nodes = 5 * per;
        onNewGraph(12, nodes, (p, key, random) -> {
            KeyIndex index = key.index();
            assertThat(p.entries(KeyedIndexState.LINK_BLOCKS_STATE)).isEqualTo(5);
            assertThat(p.entries(KeyedIndexState.NODE_LINKS_STATE)).as("every block written whole").isZero();

            index.upsert("v" + nodes, vector(random));
            key.writeBack().flush();
            int singles = p.entries(KeyedIndexState.NODE_LINKS_STATE);
            assertThat(singles).as("the new node and those it linked to, as singles").isBetween(2, per);
            assertThat(p.entries(KeyedIndexState.LINK_BLOCKS_STATE)).as("a block of one new node is a single")
                    .isEqualTo(5);
            assertThat(graphNodes(load(p))).isEqualTo(graphNodes(index));

            // a few deletes, repaired by the writes after them, free their slots
            for (int i = 0; i < 3; i++) {
                assertThat(index.delete("v" + (7 + 70 * i))).isTrue();
            }
            for (int i = 0; index.tombstones() > 0; i++) {
                assertThat(i).as("repair finishes").isLessThan(1_000);
                index.upsert("v" + (nodes + 1 + (i % 5)), vector(random));
            }
            key.writeBack().flush();
            assertThat(index.graphSlotOccupied(7)).isFalse();
            assertThat(p.values(KeyedIndexState.NODE_LINKS_STATE)).as("free slots whose block holds a copy")
                    .filteredOn(v -> v.length == 1).isNotEmpty();
            assertThat(p.entries(KeyedIndexState.NODE_LINKS_STATE)).as("singles stay under half of each block")
                    .isLessThan(5 * per / 2 + 1);
            assertThat(graphNodes(load(p))).isEqualTo(graphNodes(index));

            // enough changes rewrite the blocks, and their singles go
            for (int i = 0; i < 2 * per; i++) {
                index.upsert("v" + random.nextInt(nodes), vector(random));
            }
            key.writeBack().flush();
            assertThat(p.entries(KeyedIndexState.NODE_LINKS_STATE)).isLessThan(singles + 3);
            KeyWriteBack.Opened loaded = KeyWriteBack.load(p.state, 1, KeyWriteBack.LoadObserver.NONE);
            loaded.index().loadGraph();
            assertThat(graphNodes(loaded.index())).isEqualTo(graphNodes(index));
            assertThat(answers(loaded.index(), 3)).isEqualTo(answers(index, 3));
        });
    }

    @Test
    void aGraphStoredAsSingleLinkEntriesOnlyIsReadAndMovesIntoBlocksAsItChanges() throws Exception {
        // the layout before link blocks: one entry per node, which is a valid state of the current one
        onNewGraph(13, 200, (p, key, random) -> {
            KeyIndex index = key.index();
            int blocks = p.entries(KeyedIndexState.LINK_BLOCKS_STATE);
            for (int node = 0; node < index.graphSlots(); node++) {
                int n = node;
                index.readGraphNode(node, (x, id, level, links, tombstone) ->
                        p.state.putNodeLinks(n, NodeLinksCodec.encode(level, links)));
            }
            for (int b = 0; b < blocks; b++) {
                p.state.removeLinkBlock(b);
            }
            assertThat(p.entries(KeyedIndexState.LINK_BLOCKS_STATE)).isZero();

            KeyWriteBack.Opened old = KeyWriteBack.load(p.state, 1, KeyWriteBack.LoadObserver.NONE);
            KeyIndex reread = old.index();
            reread.loadGraph();
            assertThat(graphNodes(reread)).isEqualTo(graphNodes(index));
            for (int i = 0; i < 100; i++) {
                String id = "v" + random.nextInt(200);
                float[] v = vector(random);
                reread.upsert(id, v);
                index.upsert(id, v);
            }
            old.writeBack().flush();
            assertThat(p.entries(KeyedIndexState.LINK_BLOCKS_STATE)).as("blocks written as they changed")
                    .isPositive();
            assertThat(p.entries(KeyedIndexState.NODE_LINKS_STATE)).isLessThan(200);
            assertThat(graphNodes(load(p))).isEqualTo(graphNodes(index));
        });
    }

    /** What a test does with a new graph key, its first nodes written to state. */
    private interface GraphTest {
        void run(Probe p, KeyWriteBack.Opened key, SplittableRandom random) throws Exception;
    }

    /** Runs {@code test} on key "k" of a fresh RocksDB harness, a graph from the start with {@code nodes} random vectors flushed. */
    private static void onNewGraph(long seed, int nodes, GraphTest test) throws Exception {
        Probe probe = new Probe();
        try (var h = harness(probe)) {
            h.open();
            SplittableRandom random = new SplittableRandom(seed);
            on(h, probe, "k", p -> {
                try {
                    KeyWriteBack.Opened key = KeyWriteBack.create(p.state, CONFIG, 1, KeyWriteBack.LoadObserver.NONE);
                    for (int i = 0; i < nodes; i++) {
                        key.index().upsert("v" + i, vector(random));
                    }
                    key.writeBack().flush();
                    test.run(p, key, random);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    /** The current key's index as stored, its graph loaded. */
    private static KeyIndex load(Probe p) {
        KeyIndex index = KeyWriteBack.load(p.state, 1, KeyWriteBack.LoadObserver.NONE).index();
        index.loadGraph();
        return index;
    }

    @Test
    void vectorsGoToSingleRecordsUntilHalfABlockThenToTheBlock() throws Exception {
        Probe probe = new Probe();
        int per = KeyedIndexState.blockSlots(DIM);
        assertThat(per).isEqualTo(128);
        try (var h = harness(probe)) {
            h.open();
            SplittableRandom random = new SplittableRandom(5);
            on(h, probe, "k", p -> {
                try {
                    KeyWriteBack.Opened key = KeyWriteBack.create(p.state, CONFIG, 10_000, KeyWriteBack.LoadObserver.NONE);
                    for (int i = 0; i < 10; i++) {
                        key.index().upsert("v" + i, vector(random));
                    }
                    key.writeBack().flush();
                    assertThat(p.entries(KeyedIndexState.FLAT_VECTORS_STATE)).isEqualTo(10);
                    assertThat(p.entries(KeyedIndexState.FLAT_BLOCKS_STATE)).isZero();
                    for (int i = 10; i < per / 2 + 5; i++) {
                        key.index().upsert("v" + i, vector(random));
                    }
                    key.writeBack().flush();
                    assertThat(p.entries(KeyedIndexState.FLAT_VECTORS_STATE)).as("singles merged into the block").isZero();
                    assertThat(p.entries(KeyedIndexState.FLAT_BLOCKS_STATE)).isEqualTo(1);
                    key.index().upsert("v3", vector(random));
                    key.writeBack().flush();
                    assertThat(p.entries(KeyedIndexState.FLAT_VECTORS_STATE)).as("a changed slot overrides the block")
                            .isEqualTo(1);
                    for (int i = 0; i < per / 2 + 5; i++) {
                        key.index().delete("v" + i);
                    }
                    key.writeBack().flush();
                    assertThat(p.entries(KeyedIndexState.FLAT_VECTORS_STATE) + p.entries(KeyedIndexState.FLAT_BLOCKS_STATE))
                            .as("an emptied flat tier leaves nothing behind").isZero();
                    assertThat(KeyWriteBack.load(p.state, 10_000, KeyWriteBack.LoadObserver.NONE).index().size()).isZero();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @ParameterizedTest(name = "deletion sequences: {0}")
    @ValueSource(booleans = {false, true})
    void aKeyOfTheV1LayoutIsReadAndRewrittenInTheCurrentOneAtItsNextFlush(boolean deletionSequences) throws Exception {
        // the v1 entries of a graph built in memory, as a release before the tiered layout wrote them
        V1Format.Writer v1 = new V1Format.Writer(deletionSequences);
        HnswIndex original = HnswIndex.create(CONFIG, v1);
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < 300; i++) {
            original.upsert("v" + random.nextInt(250), vector(random));
            if (i % 9 == 0) {
                original.delete("v" + random.nextInt(250));
            }
        }
        KeyIndex reference = KeyIndex.ofGraph(original, 0, KeyIndex.Listener.NONE, GraphStore.NONE,
                KeyIndex.GraphSource.NONE);
        Probe probe = new Probe();
        try (var h = harness(probe)) {
            h.open();
            on(h, probe, "legacy", p -> v1.replay(p.getRuntimeContext()));
            on(h, probe, "legacy", p -> {
                try {
                    assertThat(p.state.keyHeader()).isNull();
                    KeyWriteBack.Opened loaded = KeyWriteBack.load(p.state, 0, KeyWriteBack.LoadObserver.NONE);
                    assertThat(loaded.v1()).isTrue();
                    assertThat(answers(loaded.index(), 4)).isEqualTo(answers(reference, 4));
                    assertThat(loaded.writeBack().dirty()).as("marked for rewriting").isTrue();
                    loaded.writeBack().flush();
                    assertThat(p.entries(KeyedIndexState.LEGACY_NODES_STATE)).isZero();
                    assertThat(p.booleans(KeyedIndexState.LEGACY_TOMBSTONES_STATE)).isZero();
                    assertThat(p.entries(KeyedIndexState.TOMBSTONES_STATE)).isEqualTo(reference.tombstones());
                    assertThat(p.state.keyHeader()).isNotNull();
                    KeyWriteBack.Opened again = KeyWriteBack.load(p.state, 0, KeyWriteBack.LoadObserver.NONE);
                    assertThat(again.v1()).isFalse();
                    assertThat(answers(again.index(), 4)).isEqualTo(answers(reference, 4));
                    if (deletionSequences) {
                        // the repair queue came back in deletion order: further deletes repair exactly as the original
                        for (int i = 0; i < 250; i += 5) {
                            again.index().delete("v" + i);
                            reference.delete("v" + i);
                        }
                        assertThat(again.index().tombstones()).isEqualTo(reference.tombstones());
                        assertThat(answers(again.index(), 4)).isEqualTo(answers(reference, 4));
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }
}
