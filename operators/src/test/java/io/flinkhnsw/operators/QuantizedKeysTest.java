package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.Quantization;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys whose graphs walk int8 codes ({@code --quantization int8}, here for one key prefix) through
 * the operator: upserts, replacing upserts, deletes and queries on graphs large enough to have
 * learned their quantizer, then a snapshot restored at the same parallelism and rescaled from two
 * subtasks to one answers exactly as the operators it was taken from; and the quantized keys hold
 * less heap than the same keys as floats.
 */
class QuantizedKeysTest {
    private static final int KEYS = 3;
    /** Distinct upserts per key first, so its graph passes the quantizer's training set. */
    private static final int GROWN = 4500;
    private static final int DIM = 24;
    private static final HnswConfig FLOATS = HnswConfig.defaults(Metric.COSINE);

    private final List<IndexEvent> history = RandomEvents.concat(grow(), RandomEvents.mixed(KEYS, 1000, DIM, 21L));
    private final List<IndexEvent> probes = RandomEvents.queries(KEYS, 10, DIM, 22L);
    private final List<IndexEvent> later = RandomEvents.mixed(KEYS, 60, DIM, 23L);

    private static IndexSettings settings(Quantization quantization) {
        return IndexSettings.builder().defaultConfig(FLOATS).flatLimit(100).maxVectorsPerKey(1_000_000)
                .override("key-", FLOATS.withQuantization(quantization)).build();
    }

    @Test
    void quantizedKeysTakeLessHeapAndRestoreAndRescaleExactly() throws Exception {
        long floatBytes;
        try (IndexHarness floats = IndexHarness.open(settings(Quantization.NONE))) {
            RestoreAndRescaleTest.feed(List.of(floats), history);
            floatBytes = floats.function().indexMemoryBytes();
            assertThat(floats.function().indexOffHeapBytes()).isZero();
        }
        List<IndexHarness> two = List.of(IndexHarness.open(settings(Quantization.INT8), 2, 0, null),
                IndexHarness.open(settings(Quantization.INT8), 2, 1, null));
        try {
            RestoreAndRescaleTest.feed(two, history);
            assertThat(history.stream().map(e -> IndexHarness.subtaskOf(e.key, 2)).distinct())
                    .as("both subtasks own keys").hasSize(2);
            long int8Bytes = two.get(0).function().indexMemoryBytes() + two.get(1).function().indexMemoryBytes();
            // each key's graph holds over 4,000 nodes, each with 3 bytes less per dimension as codes
            assertThat(floatBytes - int8Bytes).as("heap saved by codes (floats: %d bytes)", floatBytes)
                    .isGreaterThanOrEqualTo(KEYS * 4000L * 3 * DIM);
            long offHeap = two.get(0).function().indexOffHeapBytes() + two.get(1).function().indexOffHeapBytes();
            assertThat(offHeap).as("full-precision vectors off the heap").isGreaterThanOrEqualTo(KEYS * 4000L * 4 * DIM);

            OperatorSubtaskState first = two.get(0).snapshot(1L);
            OperatorSubtaskState second = two.get(1).snapshot(1L);
            List<Object> expected = RestoreAndRescaleTest.feed(two, RandomEvents.concat(probes, later, probes));
            assertThat(expected).anySatisfy(r -> assertThat(((QueryResult) r).neighbours).hasSize(10));

            try (IndexHarness restored = IndexHarness.open(settings(Quantization.INT8), 2, 0, first);
                 IndexHarness restoredToo = IndexHarness.open(settings(Quantization.INT8), 2, 1, second)) {
                assertThat(RestoreAndRescaleTest.feed(List.of(restored, restoredToo), RandomEvents.concat(probes, later, probes)))
                        .as("restored at the same parallelism").isEqualTo(expected);
            }
            OperatorSubtaskState packed = AbstractStreamOperatorTestHarness.repackageState(first, second);
            try (IndexHarness one = IndexHarness.open(settings(Quantization.INT8), 1, 0, AbstractStreamOperatorTestHarness
                    .repartitionOperatorState(packed, IndexHarness.MAX_PARALLELISM, 2, 1, 0))) {
                assertThat(RestoreAndRescaleTest.feed(List.of(one), RandomEvents.concat(probes, later, probes)))
                        .as("rescaled from 2 to 1").isEqualTo(expected);
            }
        } finally {
            for (IndexHarness h : two) {
                h.close();
            }
        }
    }

    private static List<IndexEvent> grow() {
        SplittableRandom rnd = new SplittableRandom(20L);
        List<IndexEvent> out = new ArrayList<>();
        for (int i = 0; i < GROWN; i++) {
            for (int k = 0; k < KEYS; k++) {
                out.add(IndexEvent.upsert("key-" + k, "grown-" + i, RandomEvents.vector(rnd, DIM), null));
            }
        }
        return out;
    }

    @Test
    void directMemoryIsAccountedAndLeavesWithEvictedKeys() throws Exception {
        long budget = 200_000;
        IndexSettings bounded = IndexSettings.builder().defaultConfig(FLOATS.withQuantization(Quantization.INT8))
                .flatLimit(100).indexMemoryBytes(budget).maxVectorsPerKey(1_000_000).build();
        try (IndexHarness h = IndexHarness.open(bounded)) {
            long most = 0;
            for (IndexEvent e : RandomEvents.concat(grow(), probes)) {
                h.process(e);
                h.drainResults();
                HnswIndexFunction f = h.function();
                most = Math.max(most, f.indexOffHeapBytes());
                assertThat(f.indexOffHeapBytes() <= budget || f.cachedKeys() == 1)
                        .as("%d bytes off the heap in %d keys after %s", f.indexOffHeapBytes(), f.cachedKeys(), e)
                        .isTrue();
            }
            assertThat(most).as("int8 graphs were in memory").isPositive();
        }
    }
}
