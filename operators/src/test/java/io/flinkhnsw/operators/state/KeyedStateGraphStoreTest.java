package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Exercises {@link KeyedStateGraphStore} inside a keyed operator on RocksDB, without an HNSW graph,
 * through the path the operator uses: a per-key {@link BufferedGraphStore} collects changes and
 * flushes them. Entries are kept per key, the buffer keeps the latest value per entry, removal
 * forgets everything of a node, and a snapshot restores the same nodes, links and tombstones.
 */
class KeyedStateGraphStoreTest {
    private static final GraphHeader HEADER =
            new GraphHeader(HnswConfig.defaults(Metric.L2), 2, 0, 1, 4, 3, 1, 4L, 3L);

    /** Runs whatever action the test set against the store, in the context of the element's key. */
    static final class StoreProbe extends KeyedProcessFunction<String, String, String> {
        transient KeyedStateGraphStore store;
        transient MapState<Integer, Boolean> legacyTombstones;
        transient Consumer<KeyedStateGraphStore> action;

        @Override
        public void open(OpenContext ctx) {
            store = new KeyedStateGraphStore(getRuntimeContext());
            legacyTombstones = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                    KeyedStateGraphStore.LEGACY_TOMBSTONES_STATE, IntSerializer.INSTANCE, BooleanSerializer.INSTANCE));
        }

        @Override
        public void processElement(String key, Context ctx, Collector<String> out) {
            action.accept(store);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(StoreProbe probe)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(probe), k -> k, Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static void on(KeyedOneInputStreamOperatorTestHarness<String, String, String> h, StoreProbe probe,
                           String key, Consumer<KeyedStateGraphStore> action) throws Exception {
        probe.action = action;
        h.processElement(key, 0L);
    }

    private static List<String> dump(KeyedStateGraphStore store) {
        List<String> rows = new ArrayList<>();
        store.readNodes((node, id, level, vector, links, deletedAt) -> rows.add(node + " " + id + " L" + level + " "
                + Arrays.toString(vector) + " " + Arrays.deepToString(links)
                + (deletedAt == GraphStore.NOT_DELETED ? "" : " dead@" + deletedAt)));
        rows.sort(null);
        return rows;
    }

    /** Writes through a fresh buffer and flushes it, as the operator does before a checkpoint barrier. */
    private static void write(KeyedStateGraphStore s, Consumer<BufferedGraphStore> changes) {
        BufferedGraphStore b = new BufferedGraphStore(s, new BufferedGraphStore.Budget());
        changes.accept(b);
        b.flush();
    }

    @Test
    void keepsEntriesPerKeyAndRestoresThemFromASnapshot() throws Exception {
        StoreProbe probe = new StoreProbe();
        OperatorSubtaskState snapshot;
        List<String> expectedA = List.of(
                "0 a0 L1 [1.0, 2.0] [[1, 3], [3]]",
                "1 a1 L0 [3.0, 4.0] [[0]] dead@7",
                "3 a3 L1 [5.0, 6.0] [[0, 1], []]");
        try (var h = harness(probe)) {
            h.open();
            on(h, probe, "A", s -> {
                assertThat(s.readHeader()).isNull();
                write(s, b -> {
                    b.writeHeader(HEADER);
                    b.writeNode(0, "a0", 1, new float[] {1, 2});
                    b.writeNode(1, "a1", 0, new float[] {3, 4});
                    b.writeNode(2, "a2", 0, new float[] {9, 9});
                    b.writeNode(3, "a3", 1, new float[] {5, 6});
                    b.writeLinks(0, 0, new int[] {7, 1, 3, 7}, 1, 2);
                    b.writeLinks(0, 1, new int[] {3}, 0, 1);
                    b.writeLinks(1, 0, new int[] {0}, 0, 1);
                    b.writeLinks(2, 0, new int[] {0, 1}, 0, 2);
                    b.writeLinks(3, 0, new int[] {0, 1}, 0, 2);
                    b.writeTombstone(1, 7L);
                    b.writeTombstone(2, 8L);
                });
                // a later batch removes a node that state already holds
                write(s, b -> b.removeNode(2, 0));
            });
            on(h, probe, "B", s -> {
                assertThat(s.readHeader()).isNull();
                assertThat(dump(s)).isEmpty();
                write(s, b -> {
                    b.writeHeader(HEADER);
                    b.writeNode(0, "b0", 0, new float[] {8, 8});
                });
            });
            on(h, probe, "A", s -> {
                assertThat(s.readHeader()).isEqualTo(HEADER);
                assertThat(dump(s)).isEqualTo(expectedA);
            });
            snapshot = h.snapshot(1L, 1L);
        }
        StoreProbe restored = new StoreProbe();
        try (var h = harness(restored)) {
            h.initializeState(snapshot);
            h.open();
            on(h, restored, "A", s -> {
                assertThat(s.readHeader()).isEqualTo(HEADER);
                assertThat(dump(s)).isEqualTo(expectedA);
            });
            on(h, restored, "B", s -> assertThat(dump(s)).containsExactly("0 b0 L0 [8.0, 8.0] [[]]"));
            on(h, restored, "C", s -> assertThat(s.readHeader()).isNull());
        }
    }

    @Test
    void bufferedStoreKeepsTheLatestValuePerEntryAndFlushesTheSameState() throws Exception {
        StoreProbe probe = new StoreProbe();
        try (var h = harness(probe)) {
            h.open();
            BufferedGraphStore.Budget budget = new BufferedGraphStore.Budget();
            BufferedGraphStore[] a = new BufferedGraphStore[1];
            on(h, probe, "A", s -> {
                // state already holds a node that the buffer will delete
                GraphHeader sixSlots = new GraphHeader(HnswConfig.defaults(Metric.L2), 2, 5, 0, 6, 0, 1, 1L, 1L);
                write(s, b -> {
                    b.writeHeader(sixSlots);
                    b.writeNode(5, "old", 0, new float[] {0, 0});
                    b.writeLinks(5, 0, new int[] {1}, 0, 1);
                    b.writeTombstone(5, 0L);
                });
                BufferedGraphStore b = new BufferedGraphStore(s, budget);
                a[0] = b;
                assertThat(b.readHeader()).isEqualTo(sixSlots);
                b.writeHeader(HEADER);
                b.writeNode(0, "a0", 1, new float[] {1, 2});
                b.writeNode(1, "a1", 0, new float[] {3, 4});
                b.writeNode(2, "a2", 0, new float[] {9, 9});
                b.writeNode(3, "a3", 1, new float[] {5, 6});
                int[] buf = {7, 1, 3, 7};
                b.writeLinks(0, 0, buf, 1, 2);
                b.writeLinks(0, 1, new int[] {3}, 0, 1);
                b.writeLinks(1, 0, new int[] {0}, 0, 1);
                b.writeLinks(2, 0, new int[] {0, 1}, 0, 2);
                b.writeLinks(3, 0, new int[] {2}, 0, 1);
                b.writeLinks(3, 0, new int[] {0, 1}, 0, 2);
                b.writeTombstone(1, 7L);
                b.writeTombstone(2, 8L);
                b.removeNode(2, 0);
                b.removeNode(5, 0);
                buf[1] = 99; // the buffer must have copied what it keeps
                assertThat(b.dirty()).isTrue();
                assertThat(budget.entries()).isEqualTo(b.size());
                assertThatThrownBy(() -> b.readNodes((n, id, l, v, ls, t) -> { }))
                        .isInstanceOf(IllegalStateException.class);
                assertThat(dump(s)).as("nothing written before the flush").containsExactly("5 old L0 [0.0, 0.0] [[1]] dead@0");
            });
            on(h, probe, "A", s -> {
                assertThat(a[0].flush()).isGreaterThan(0);
                assertThat(a[0].dirty()).isFalse();
                assertThat(budget.entries()).isZero();
                assertThat(s.readHeader()).isEqualTo(HEADER);
                assertThat(dump(s)).containsExactly(
                        "0 a0 L1 [1.0, 2.0] [[1, 3], [3]]",
                        "1 a1 L0 [3.0, 4.0] [[0]] dead@7",
                        "3 a3 L1 [5.0, 6.0] [[0, 1], []]");
            });
        }
    }
}
