package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.vector.Metric;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A search allocates its result (with its id strings) and nothing else: the query's prepared (normalised, padded) copy,
 * the heaps, the visited set and the neighbour batch are the reader's scratch; on an int8 graph the
 * re-ranking reads the full-precision vectors into scratch too.
 */
class SearchAllocationTest {
    private static final int K = 10;
    /**
     * SearchResult (24 bytes) + String[10] (56) + float[10] (56), with some slack for the JVM's
     * rounding, and the ten ids, built from the graph's bytes for the result: a String (24) and its
     * bytes (24 for ids of up to 8 characters) each.
     */
    private static final long RESULT_BYTES = 160 + K * 48;
    private static final long JIT_PATIENCE_NANOS = 30_000_000_000L;

    @ParameterizedTest
    @CsvSource({"L2, NONE", "COSINE, NONE", "L2, INT8", "COSINE, INT8"})
    void searchAllocatesOnlyTheResult(Metric metric, Quantization quantization) {
        ClusteredDataset data = new ClusteredDataset(48, 8, 0.4f, 11);
        HnswIndex index = HnswIndex.create(HnswConfig.defaults(metric).withQuantization(quantization), GraphStore.NONE);
        float[][] base = data.next(HnswGraph.TRAINING_NODES + 1000);
        for (int i = 0; i < base.length; i++) {
            index.upsert("v" + i, base[i]);
        }
        assertThat(index.graph().codes != null).as("the walk scores codes").isEqualTo(quantization == Quantization.INT8);
        float[][] queries = data.next(100);
        HnswIndex.Reader reader = index.reader();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Until the JIT has compiled the kernels, the Vector API allocates its vectors: measure
        // repeatedly and keep the best round, which is the compiled code's. The compiler may be
        // seconds behind when this is the first test of a busy JVM (a CI run failed after 50 rounds
        // that passed alone), so rounds go on for a while rather than for a count.
        long best = Long.MAX_VALUE;
        long deadline = System.nanoTime() + JIT_PATIENCE_NANOS;
        while (best > RESULT_BYTES && System.nanoTime() < deadline) {
            long before = threads.getCurrentThreadAllocatedBytes();
            int found = 0;
            for (int i = 0; i < 1000; i++) {
                found += reader.search(queries[i % queries.length], K, 64).size();
            }
            long perSearch = (threads.getCurrentThreadAllocatedBytes() - before) / 1000;
            assertThat(found).isEqualTo(1000 * K);
            best = Math.min(best, perSearch);
        }
        assertThat(best).as("bytes allocated per search").isLessThanOrEqualTo(RESULT_BYTES);
    }
}
