package io.flinkhnsw.operators;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The write-back of {@link HnswIndexOperator}: changes stay in memory between checkpoints, a
 * checkpoint (prepareSnapshotPreBarrier + snapshot) contains all of them, eviction and the write
 * buffer's byte limit write them out rather than drop them, and the bare function stays correct
 * without write-back.
 */
class WriteBackTest {
    private static final int KEYS = 5;
    private static final int DIM = 10;
    /** Keys become graphs part way through the history, so both tiers and the backlog are written back. */
    private static final int FLAT_LIMIT = 40;

    private final List<IndexEvent> history = RandomEvents.mixed(KEYS, 120, DIM, 31L);
    private final List<IndexEvent> probes = RandomEvents.queries(KEYS, 5, DIM, 32L);

    @Test
    void snapshotWithUnflushedChangesRestoresTheSameIndex() throws Exception {
        IndexSettings settings = IndexSettings.builder().flatLimit(FLAT_LIMIT).build();
        try (IndexHarness original = IndexHarness.open(settings)) {
            original.feed(history);
            assertThat(original.bufferedBytes()).as("changes buffered, not yet in state").isGreaterThan(0);
            OperatorSubtaskState snapshot = original.snapshot(1L);
            assertThat(original.bufferedBytes()).as("flushed before the barrier").isZero();
            List<QueryResult> expected = original.feed(probes);
            assertThat(expected).hasSize(probes.size());
            try (IndexHarness restored = IndexHarness.open(settings, 1, 0, snapshot)) {
                assertThat(restored.feed(probes)).isEqualTo(expected);
            }
        }
    }

    /** Control: the same snapshot without the pre-barrier flush really loses data, so the test above is meaningful. */
    @Test
    void snapshotWithoutTheFlushWouldLoseChanges() throws Exception {
        IndexSettings settings = IndexSettings.builder().flatLimit(FLAT_LIMIT).build();
        try (IndexHarness original = IndexHarness.open(settings)) {
            original.feed(history);
            assertThat(original.bufferedBytes()).isGreaterThan(0);
            OperatorSubtaskState unflushed = original.snapshotWithoutFlush(1L);
            List<QueryResult> expected = original.feed(probes);
            try (IndexHarness restored = IndexHarness.open(settings, 1, 0, unflushed)) {
                assertThat(restored.feed(probes)).isNotEqualTo(expected);
            }
        }
    }

    @Test
    void evictionWritesChangesBackInsteadOfDroppingThem() throws Exception {
        List<QueryResult> reference;
        try (IndexHarness big = IndexHarness.open(IndexSettings.builder().flatLimit(FLAT_LIMIT).build())) {
            reference = big.feed(RandomEvents.concat(history, probes));
        }
        // a one-byte budget: every key switch evicts a key with unflushed changes, no checkpoint in between
        IndexSettings tiny = IndexSettings.builder().flatLimit(FLAT_LIMIT).indexMemoryBytes(1).maxVectorsPerKey(1_000_000)
                .build();
        try (IndexHarness evicting = IndexHarness.open(tiny)) {
            List<QueryResult> out = new ArrayList<>();
            long maxBuffered = 0;
            for (IndexEvent e : RandomEvents.concat(history, probes)) {
                evicting.process(e);
                out.addAll(evicting.drainResults());
                maxBuffered = Math.max(maxBuffered, evicting.bufferedBytes());
            }
            assertThat(out).isEqualTo(reference);
            assertThat(maxBuffered).as("changes were buffered when their keys were evicted").isGreaterThan(0);
            OperatorSubtaskState snapshot = evicting.snapshot(1L);
            try (IndexHarness restored = IndexHarness.open(tiny, 1, 0, snapshot)) {
                assertThat(restored.feed(probes)).isEqualTo(evicting.feed(probes));
            }
        }
    }

    @Test
    void bufferBudgetFlushesEarlyAndStaysBounded() throws Exception {
        List<QueryResult> reference;
        try (IndexHarness big = IndexHarness.open(IndexSettings.builder().flatLimit(FLAT_LIMIT).build())) {
            reference = big.feed(RandomEvents.concat(history, probes));
        }
        long budget = 4_000;
        IndexSettings settings = IndexSettings.builder().flatLimit(FLAT_LIMIT).writeBufferBytes(budget).build();
        try (IndexHarness small = IndexHarness.open(settings)) {
            List<QueryResult> out = new ArrayList<>();
            for (IndexEvent e : RandomEvents.concat(history, probes)) {
                small.process(e);
                out.addAll(small.drainResults());
                assertThat(small.bufferedBytes()).isLessThanOrEqualTo(budget);
            }
            assertThat(out).isEqualTo(reference);
            OperatorSubtaskState snapshot = small.snapshot(1L);
            try (IndexHarness restored = IndexHarness.open(settings, 1, 0, snapshot)) {
                assertThat(restored.feed(probes)).isEqualTo(small.feed(probes));
            }
        }
    }

    @Test
    void functionWithoutTheOperatorWritesThroughAndRestoresIdentically() throws Exception {
        IndexSettings settings = IndexSettings.builder().flatLimit(FLAT_LIMIT).indexMemoryBytes(20_000)
                .maxVectorsPerKey(1_000_000).build();
        List<QueryResult> reference;
        try (IndexHarness operator = IndexHarness.open(settings)) {
            reference = operator.feed(RandomEvents.concat(history, probes));
        }
        try (IndexHarness plain = IndexHarness.openFunctionOnly(settings)) {
            assertThat(plain.feed(RandomEvents.concat(history, probes))).isEqualTo(reference);
            assertThat(plain.bufferedBytes()).as("nothing left buffered after an event").isZero();
            // a snapshot without any pre-barrier hook has everything
            OperatorSubtaskState snapshot = plain.snapshotWithoutFlush(1L);
            try (IndexHarness restored = IndexHarness.open(settings, 1, 0, snapshot)) {
                assertThat(restored.feed(probes)).isEqualTo(plain.feed(probes));
            }
        }
    }
}
