package io.flinkhnsw.hnsw;

/**
 * The neighbour-selection heuristic of Malkov and Yashunin (algorithm 4, without extending or
 * keeping pruned candidates, as hnswlib does): walking candidates nearest first, a candidate is kept
 * only if it is nearer to the base node than to every candidate already kept. This spreads links
 * over directions instead of spending them all inside one cluster.
 */
final class NeighborSelector {
    private final HnswGraph graph;

    NeighborSelector(HnswGraph graph) {
        this.graph = graph;
    }

    /**
     * Selects from {@code sorted[0..n)} (encoded by distance to the base node, ascending) into
     * {@code out}; returns how many were kept, at most {@code max}.
     */
    int select(long[] sorted, int n, int max, long[] out) {
        return select(sorted, n, max, out, 1f);
    }

    /**
     * As {@link #select(long[], int, int, long[])}, but a candidate is dropped only when a kept one is
     * nearer to it by the factor {@code slack} (DiskANN's alpha, applied to distances as stored):
     * slack above 1 keeps more, longer links.
     */
    int select(long[] sorted, int n, int max, long[] out, float slack) {
        if (n <= max) {
            System.arraycopy(sorted, 0, out, 0, n);
            return n;
        }
        HnswGraph g = graph;
        int kept = 0;
        for (int i = 0; i < n && kept < max; i++) {
            long candidate = sorted[i];
            int node = ScoredNode.node(candidate);
            float toBase = ScoredNode.distance(candidate);
            boolean diverse = true;
            for (int j = 0; j < kept; j++) {
                if (slack * g.distanceBetween(node, ScoredNode.node(out[j])) < toBase) {
                    diverse = false;
                    break;
                }
            }
            if (diverse) {
                out[kept++] = candidate;
            }
        }
        assert kept >= 1;
        return kept;
    }
}
