package io.flinkhnsw.hnsw;

/**
 * Walks an {@link HnswGraph}: greedy descent on the upper layers, beam search with a width of ef on
 * any layer. Tombstones are traversed (they keep the graph connected until repaired) but never
 * returned. Holds its scratch (visited set, two heaps, the neighbour batch) so a search allocates
 * nothing; one instance per thread.
 */
final class GraphSearcher {
    private static final float UNBOUNDED = Float.POSITIVE_INFINITY;

    private final HnswGraph graph;
    private final VisitedSet visited;
    /** Nodes still to expand, nearest on top. */
    private final LongMinHeap candidates = new LongMinHeap(256);
    /** The best nodes found so far, stored complemented so the farthest is on top. */
    private final LongMinHeap results = new LongMinHeap(256);
    /** The unvisited neighbours of the node being expanded, and their distances. */
    private final int[] batch;
    private final int[] batchOffsets;
    private final float[] batchDistances;
    /** Filtered two-hop search: the rejected neighbours of the node being expanded. */
    private final int[] bridges;
    private float lastDistance;
    /** Folds in the values of cache-warming loads so the JIT cannot drop them. */
    private int touched;

    GraphSearcher(HnswGraph graph) {
        this.graph = graph;
        this.visited = new VisitedSet(graph.capacity());
        this.batch = new int[graph.maxConn0];
        this.batchOffsets = new int[graph.maxConn0];
        this.batchDistances = new float[graph.maxConn0];
        this.bridges = new int[graph.maxConn0];
    }

    /** Distance of the node the last {@link #greedy} call returned. */
    float lastDistance() {
        return lastDistance;
    }

    /** Moves from {@code start} to ever nearer neighbours on {@code layer} until none is nearer. */
    int greedy(float[] query, int start, float startDistance, int layer) {
        HnswGraph g = graph;
        int[] batch = this.batch;
        int[] offsets = batchOffsets;
        float[] distances = batchDistances;
        int current = start;
        float best = startDistance;
        boolean moved = true;
        while (moved) {
            moved = false;
            int[] links = g.linkArray(current, layer);
            int base = g.linkBase(current, layer);
            int count = links[base];
            for (int i = 0; i < count; i++) {
                int next = links[base + 1 + i];
                batch[i] = next;
                offsets[i] = g.vectorOffset(next);
            }
            g.distances(query, offsets, count, distances);
            for (int i = 0; i < count; i++) {
                int next = batch[i];
                float d = distances[i];
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
        int[] batch = this.batch;
        int[] offsets = batchOffsets;
        float[] distances = batchDistances;
        float bound = start(entry, entryDistance, ef, !tombstone[entry]);
        int touch = 0;
        float warm = 0;
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
            int n = 0;
            for (int i = 1; i <= count; i++) {
                int next = links[base + i];
                if (seen.add(next)) {
                    offsets[n] = g.vectorOffset(next);
                    batch[n++] = next;
                }
            }
            if (!open.isEmpty()) {
                touch += touchLinks(ScoredNode.node(open.peek()), layer);
            }
            warm += touchVectors(offsets, n);
            g.distances(query, offsets, n, distances);
            for (int j = 0; j < n; j++) {
                float d = distances[j];
                if (d >= bound) {
                    continue;
                }
                int next = batch[j];
                long code = ScoredNode.encode(d, next);
                open.push(code);
                if (tombstone[next]) {
                    continue;
                }
                bound = collect(code, ef, bound);
            }
        }
        touched += touch + (int) warm;
    }

    /**
     * Beam search on layer 0 that keeps only live nodes {@code filter} accepts. A plain traversal
     * ({@code twoHop} false, as Lucene does it) scores every neighbour and walks through rejected
     * ones; a two-hop traversal (ACORN-1) scores only accepted nodes, reaching past a rejected
     * neighbour to its own accepted neighbours, up to 2M new nodes per expansion, so a selective
     * filter does not leave the beam stranded among rejected nodes. Returns false, with what it
     * found so far held, once more than {@code scoreLimit} vectors have been scored.
     */
    boolean searchLayerFiltered(float[] query, int entry, float entryDistance, int ef, IdFilter filter, boolean twoHop,
                                int scoreLimit) {
        HnswGraph g = graph;
        VisitedSet seen = visited;
        LongMinHeap open = candidates;
        int[] batch = this.batch;
        int[] offsets = batchOffsets;
        float[] distances = batchDistances;
        float bound = start(entry, entryDistance, ef, accepts(entry, filter));
        int scored = 0;
        while (!open.isEmpty()) {
            long nearest = open.peek();
            if (ScoredNode.distance(nearest) > bound) {
                break;
            }
            open.pop();
            int node = ScoredNode.node(nearest);
            int n = twoHop ? acceptedWithinTwoHops(node, filter) : unseenNeighbours(node);
            scored += n;
            if (scored > scoreLimit) {
                return false;
            }
            for (int j = 0; j < n; j++) {
                offsets[j] = g.vectorOffset(batch[j]);
            }
            g.distances(query, offsets, n, distances);
            for (int j = 0; j < n; j++) {
                float d = distances[j];
                if (d >= bound) {
                    continue;
                }
                int next = batch[j];
                long code = ScoredNode.encode(d, next);
                open.push(code);
                if (!twoHop && !accepts(next, filter)) {
                    continue;
                }
                bound = collect(code, ef, bound);
            }
        }
        return true;
    }

    /**
     * Starts a beam search from {@code entry}: clears the visited set and both heaps, queues the
     * entry and, when {@code collectEntry}, holds it as a result; returns the starting bound.
     */
    private float start(int entry, float entryDistance, int ef, boolean collectEntry) {
        visited.reset(graph.highWater);
        candidates.clear();
        results.clear();
        visited.add(entry);
        long entryCode = ScoredNode.encode(entryDistance, entry);
        candidates.push(entryCode);
        if (collectEntry) {
            results.push(~entryCode);
        }
        return results.size() >= ef ? entryDistance : UNBOUNDED;
    }

    /** Holds {@code code} among the ef best results (replacing the worst when full); returns the new bound. */
    private float collect(long code, int ef, float bound) {
        LongMinHeap best = results;
        if (best.size() < ef) {
            best.push(~code);
        } else {
            best.replaceTop(~code);
        }
        return best.size() >= ef ? ScoredNode.distance(~best.peek()) : bound;
    }

    private boolean accepts(int node, IdFilter filter) {
        return !graph.tombstone[node] && filter.acceptsNode(node, graph);
    }

    /** The unvisited layer-0 neighbours of {@code node} into the batch, marked visited; returns how many. */
    private int unseenNeighbours(int node) {
        int[] links = graph.linkArray(node, 0);
        int base = graph.linkBase(node, 0);
        int count = links[base];
        int n = 0;
        for (int i = 1; i <= count; i++) {
            int next = links[base + i];
            if (visited.add(next)) {
                batch[n++] = next;
            }
        }
        return n;
    }

    /**
     * The unvisited accepted nodes among {@code node}'s layer-0 neighbours and, through each rejected
     * neighbour not yet used as a bridge, among theirs, into the batch (at most its length), marked
     * visited; returns how many. Rejected nodes are marked when used as a bridge, so each is expanded once.
     */
    private int acceptedWithinTwoHops(int node, IdFilter filter) {
        HnswGraph g = graph;
        int[] links = g.linkArray(node, 0);
        int base = g.linkBase(node, 0);
        int count = links[base];
        int n = 0;
        int rejected = 0;
        for (int i = 1; i <= count; i++) {
            int next = links[base + i];
            if (visited.contains(next)) {
                continue;
            }
            if (accepts(next, filter)) {
                visited.add(next);
                batch[n++] = next;
            } else {
                bridges[rejected++] = next;
            }
        }
        for (int b = 0; b < rejected && n < batch.length; b++) {
            int bridge = bridges[b];
            if (!visited.add(bridge)) {
                continue;
            }
            int[] hop = g.linkArray(bridge, 0);
            int hopBase = g.linkBase(bridge, 0);
            int hopCount = hop[hopBase];
            for (int i = 1; i <= hopCount && n < batch.length; i++) {
                int next = hop[hopBase + i];
                if (!visited.contains(next) && accepts(next, filter)) {
                    visited.add(next);
                    batch[n++] = next;
                }
            }
        }
        return n;
    }

    /**
     * Loads the first cache line of each vector of the batch before the batch is scored, so all
     * their misses are in flight at once instead of four at a time (hnswlib prefetches each
     * neighbour's vector the same way). On a 200k x 64 set, far beyond the caches, this raised QPS
     * by about a fifth.
     */
    private float touchVectors(int[] offsets, int n) {
        byte[] codes = graph.codes;
        float sum = 0;
        if (codes != null) {
            for (int j = 0; j < n; j++) {
                sum += codes[offsets[j]];
            }
            return sum;
        }
        float[] vectors = graph.vectors;
        for (int j = 0; j < n; j++) {
            sum += vectors[offsets[j]];
        }
        return sum;
    }

    /**
     * Loads the first two cache lines' worth of {@code node}'s link list on {@code layer}, the likely
     * next node to expand, while the current batch's vectors are being fetched: hnswlib prefetches
     * the next candidate's links; Java has no prefetch, but a load whose value is kept does the same.
     */
    private int touchLinks(int node, int layer) {
        HnswGraph g = graph;
        int[] links = g.linkArray(node, layer);
        int base = g.linkBase(node, layer);
        int sum = links[base];
        if (g.maxConnections(layer) >= 16) {
            sum += links[base + 16];
        }
        return sum;
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
