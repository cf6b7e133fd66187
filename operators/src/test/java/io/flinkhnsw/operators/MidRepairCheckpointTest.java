package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.KeyIndex;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A checkpoint taken while deletes are still being repaired (tombstones waiting in the repair queue)
 * restores to an operator that answers, and goes on repairing, exactly as the original does. An
 * in-memory index fed the same events (the index is deterministic) shows the checkpoint really was
 * taken mid-repair. The key's flat limit is low, so nearly all its vectors are in its graph.
 */
class MidRepairCheckpointTest {
    private static final String KEY = "shop";
    private static final int DIM = 16;
    private static final int FLAT_LIMIT = 64;
    private static final IndexSettings SETTINGS = IndexSettings.builder().flatLimit(FLAT_LIMIT).build();

    @Test
    void aCheckpointTakenMidRepairRestoresIdentically() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        List<IndexEvent> history = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            history.add(IndexEvent.upsert(KEY, "id-" + i, RandomEvents.vector(rnd, DIM), null));
        }
        KeyIndex shadow = KeyIndex.create(SETTINGS.configFor(KEY), FLAT_LIMIT, KeyIndex.Listener.NONE, GraphStore.NONE,
                KeyIndex.GraphSource.NONE);
        for (IndexEvent e : history) {
            shadow.upsert(e.id, e.vector);
        }
        // delete until one delete leaves repair work for the following events (more in-links than one call repairs)
        for (int i = 0; i < 800 && shadow.tombstones() == 0; i++) {
            history.add(IndexEvent.delete(KEY, "id-" + i));
            shadow.delete("id-" + i);
        }
        assertThat(shadow.tombstones()).as("tombstones still waiting for repair at the checkpoint").isPositive();
        assertThat(shadow.isGraph()).isTrue();
        List<IndexEvent> later = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            later.add(IndexEvent.query(KEY, "q-" + i, RandomEvents.vector(rnd, DIM), 10, 0));
            later.add(i % 3 == 0 ? IndexEvent.delete(KEY, "id-" + (799 - i))
                    : IndexEvent.upsert(KEY, "new-" + i, RandomEvents.vector(rnd, DIM), null));
        }

        try (IndexHarness original = IndexHarness.open(SETTINGS)) {
            original.feed(history);
            OperatorSubtaskState snapshot = original.snapshot(1L);
            assertThat(original.function().stats().tombstones()).as("the operator's key too").isPositive();
            List<QueryResult> expected = original.feed(later);
            assertThat(expected).hasSize(300).allSatisfy(r -> assertThat(r.neighbours).hasSize(10));
            try (IndexHarness restored = IndexHarness.open(SETTINGS, 1, 0, snapshot)) {
                assertThat(restored.feed(later)).isEqualTo(expected);
            }
        }
    }
}
