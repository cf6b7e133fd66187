package io.flinkhnsw.hnsw;

/**
 * Walks an {@link HnswGraph}: greedy descent on the upper layers, beam search with a width of ef on
 * any layer. Tombstones are traversed (they keep the graph connected until repaired) but never
 * returned. Holds its scratch (visited set, two heaps) so a search allocates nothing; one instance
 * per thread.
 */
final class GraphSearcher {
    private static final float UNBOUNDED = Float.POSITIVE_INFINITY;

    private final HnswGraph graph;
    private final VisitedSet visited;
    /** Nodes still to expand, nearest on top. */
    private final LongMinHeap candidates = new LongMinHeap(256);
    /** The best nodes found so far, stored complemented so the farthest is on top. */
    private final LongMinHeap results = new LongMinHeap(256);
    private float lastDistance;

    GraphSearcher(HnswGraph graph) {
        this.graph = graph;
        this.visited = new VisitedSet(graph.capacity());
    }

    /** Distance of the node the last {@link #greedy} call returned. */
    float lastDistance() {
        return lastDistance;
    }

    /** Moves from {@code start} to ever nearer neighbours on {@code layer} until none is nearer. */
    int greedy(float[] query, int start, float startDistance, int layer) {
        HnswGraph g = graph;
        int current = start;
        float best = startDistance;
        boolean moved = true;
        while (moved) {
            moved = false;
            int[] links = g.linkArray(current, layer);
            int base = g.linkBase(current, layer);
            int count = links[base];
            for (int i = 1; i <= count; i++) {
                int next = links[base + i];
                float d = g.distance(query, next);
                if (d < best || (d == best && next < current)) {
                    best = d;
                    current = next;
                    moved = true;
                }
            }
        }
        lastDistance = best;
        return current;
    }

    /** Greedy descent from the entry point through layers above {@code toLayer}; returns the start for it. */
    int descend(float[] query, int toLayer) {
        HnswGraph g = graph;
        int current = g.entryPoint;
        float d = g.distance(query, current);
        for (int layer = g.maxLevel; layer > toLayer; layer--) {
            current = greedy(query, current, d, layer);
            d = lastDistance;
        }
        lastDistance = d;
        return current;
    }

    /**
     * Beam search on {@code layer} from {@code entry}; afterwards up to ef non-tombstone nodes are
     * held for {@link #drainAscending}.
     */
    void searchLayer(float[] query, int entry, float entryDistance, int ef, int layer) {
        HnswGraph g = graph;
        boolean[] tombstone = g.tombstone;
        VisitedSet seen = visited;
        LongMinHeap open = candidates;
        LongMinHeap best = results;
        seen.reset(g.highWater);
        open.clear();
        best.clear();
        seen.add(entry);
        long entryCode = ScoredNode.encode(entryDistance, entry);
        open.push(entryCode);
        if (!tombstone[entry]) {
            best.push(~entryCode);
        }
        float bound = best.size() >= ef ? entryDistance : UNBOUNDED;
        while (!open.isEmpty()) {
            long nearest = open.peek();
            if (ScoredNode.distance(nearest) > bound) {
                break;
            }
            open.pop();
            int node = ScoredNode.node(nearest);
            int[] links = g.linkArray(node, layer);
            int base = g.linkBase(node, layer);
            int count = links[base];
            for (int i = 1; i <= count; i++) {
                int next = links[base + i];
                if (!seen.add(next)) {
                    continue;
                }
                float d = g.distance(query, next);
                if (d >= bound) {
                    continue;
                }
                long code = ScoredNode.encode(d, next);
                open.push(code);
                if (tombstone[next]) {
                    continue;
                }
                if (best.size() < ef) {
                    best.push(~code);
                } else {
                    best.replaceTop(~code);
                }
                if (best.size() >= ef) {
                    bound = ScoredNode.distance(~best.peek());
                }
            }
        }
    }

    /** Number of results the last {@link #searchLayer} holds. */
    int resultCount() {
        return results.size();
    }

    /** Moves the results of the last {@link #searchLayer} into {@code out}, nearest first; returns how many. */
    int drainAscending(long[] out) {
        int n = results.size();
        assert out.length >= n;
        for (int i = n - 1; i >= 0; i--) {
            out[i] = ~results.pop();
        }
        return n;
    }
}
