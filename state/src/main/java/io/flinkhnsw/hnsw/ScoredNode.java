package io.flinkhnsw.hnsw;

/**
 * Packs a (distance, node) pair into one long whose signed order is distance order, ties broken by
 * node id, so heaps and sorts of candidates work on primitive longs with no boxing and every
 * ordering decision is deterministic. The high 32 bits hold an order-preserving image of the
 * float's bits, the low 32 bits the node.
 */
final class ScoredNode {
    private ScoredNode() {
    }

    static long encode(float distance, int node) {
        assert node >= 0 && !Float.isNaN(distance);
        int bits = Float.floatToRawIntBits(distance);
        int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) sortable << 32) | (node & 0xffffffffL);
    }

    static int node(long code) {
        return (int) code;
    }

    static float distance(long code) {
        int sortable = (int) (code >> 32);
        return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7fffffff));
    }

    /** Up to this many codes {@link #sortNearlySorted} sorts by insertion. */
    private static final int INSERTION_SORT_MAX = 512;

    /**
     * Sorts {@code codes[0..n)} ascending: up to {@link #INSERTION_SORT_MAX} by insertion, linear on
     * the nearly sorted lists a re-ranking produces and, unlike
     * {@link java.util.Arrays#sort(long[], int, int)} (which may allocate a merge buffer for
     * presorted runs), allocation-free; longer lists (an ef in the thousands) with Arrays.sort.
     */
    static void sortNearlySorted(long[] codes, int n) {
        if (n > INSERTION_SORT_MAX) {
            java.util.Arrays.sort(codes, 0, n);
            return;
        }
        for (int i = 1; i < n; i++) {
            long code = codes[i];
            int j = i - 1;
            while (j >= 0 && codes[j] > code) {
                codes[j + 1] = codes[j];
                j--;
            }
            codes[j + 1] = code;
        }
    }
}
