package io.flinkhnsw.hnsw;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One incremental HNSW index: upsert, delete and k-nearest-neighbour search by external string id.
 * Inserts follow Malkov and Yashunin as hnswlib implements them; deletes leave tombstones that
 * search skips at once and that a consolidation pass repairs around once they pass the configured
 * fraction of the graph. An upsert of a known id replaces the old node (a tombstone from then on)
 * with a freshly linked one. The index is deterministic: the same operations in the same order give
 * the same graph and the same answers, and {@link #load} rebuilds exactly that graph from its
 * {@link GraphStore}. Not thread-safe: one index is used by one thread at a time.
 */
public final class HnswIndex {
    private static final SearchResult EMPTY = new SearchResult(new String[0], new float[0]);

    private final HnswConfig config;
    private final GraphStore store;
    private final LevelGenerator levels;
    private final Map<String, Integer> nodesById = new HashMap<>();
    private HnswGraph graph;
    private GraphSearcher searcher;
    private GraphInserter inserter;
    private GraphConsolidator consolidator;
    private Reader reader;

    private HnswIndex(HnswConfig config, GraphStore store) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.levels = new LevelGenerator(config.seed(), config.m());
    }

    /** A new, empty index that writes every change through {@code store}. */
    public static HnswIndex create(HnswConfig config, GraphStore store) {
        return new HnswIndex(config, store);
    }

    /** Rebuilds the index {@code store} holds; null when nothing was ever written to it. */
    public static HnswIndex load(GraphStore store) {
        GraphHeader header = store.readHeader();
        if (header == null) {
            return null;
        }
        HnswIndex index = new HnswIndex(header.config(), store);
        if (header.dimension() > 0) {
            index.initGraph(header.dimension(), header.highWater());
            HnswGraph g = index.graph;
            store.readNodes((node, id, level, vector, links, tombstone) -> {
                g.restoreNode(node, id, level, vector, links, tombstone);
                if (!tombstone) {
                    index.nodesById.put(id, node);
                }
            });
            g.restoreCounters(header);
            if (g.liveCount != header.liveCount() || g.tombstoneCount != header.tombstoneCount()) {
                throw new IllegalStateException("stored index is inconsistent: header counts " + header.liveCount()
                        + " live / " + header.tombstoneCount() + " deleted, nodes show " + g.liveCount + " / "
                        + g.tombstoneCount);
            }
        }
        return index;
    }

    public HnswConfig config() {
        return config;
    }

    /** The dimension fixed by the first vector; 0 before it. */
    public int dimension() {
        return graph == null ? 0 : graph.dim;
    }

    /** Live vectors. */
    public int size() {
        return nodesById.size();
    }

    /** Deleted nodes still in the graph, waiting for consolidation. */
    public int tombstones() {
        return graph == null ? 0 : graph.tombstoneCount;
    }

    public boolean contains(String id) {
        return nodesById.containsKey(id);
    }

    /**
     * Inserts {@code vector} under {@code id}, replacing the vector the id had. Throws
     * {@link InvalidVectorException} and changes nothing when the id or vector is unusable. The
     * array is not retained.
     */
    public void upsert(String id, float[] vector) {
        if (id == null || id.isEmpty()) {
            throw new InvalidVectorException("missing id");
        }
        float[] prepared = VectorValidator.prepare(vector, dimension(), config.metric(), "vector");
        if (graph == null) {
            initGraph(prepared.length, 16);
        }
        Integer existing = nodesById.get(id);
        if (existing != null) {
            if (sameVector(existing, prepared)) {
                return;
            }
            graph.markTombstone(existing);
        }
        int level = levels.level(graph.insertSequence++);
        int node = inserter.insert(id, level, prepared);
        nodesById.put(id, node);
        if (graph.inDegree0[node] == 0 && node != graph.entryPoint) {
            graph.noteOrphan(node);
        }
        afterChange();
    }

    /** Removes {@code id}; false when it is not in the index. */
    public boolean delete(String id) {
        Integer node = id == null ? null : nodesById.remove(id);
        if (node == null) {
            return false;
        }
        graph.markTombstone(node);
        afterChange();
        return true;
    }

    /** Search with the index's default ef, raised to k when k is larger. */
    public SearchResult search(float[] query, int k) {
        return search(query, k, Math.max(config.defaultEf(), k));
    }

    /**
     * The k nearest live vectors to {@code query}, nearest first, found with a beam of width
     * {@code ef}. Throws {@link InvalidVectorException} when k is outside 1..{@link Limits#MAX_K}, ef
     * is below k or above {@link Limits#MAX_EF}, or the query is unusable.
     */
    public SearchResult search(float[] query, int k, int ef) {
        if (reader == null) {
            reader = new Reader();
        }
        return reader.search(query, k, ef);
    }

    /**
     * A search handle with scratch of its own: several threads may search one index at once, each
     * through its own reader, as long as nothing writes to the index meanwhile. Readers made before
     * the first vector was inserted see an empty index.
     */
    public Reader reader() {
        return new Reader();
    }

    /** See {@link #reader()}. */
    public final class Reader {
        private final GraphSearcher readerSearcher = graph == null ? null : new GraphSearcher(graph);
        private long[] buffer = new long[64];

        private Reader() {
        }

        /** Same contract as {@link HnswIndex#search(float[], int, int)}. */
        public SearchResult search(float[] query, int k, int ef) {
            if (k < 1 || k > Limits.MAX_K) {
                throw new InvalidVectorException("k is " + k + "; it must be between 1 and " + Limits.MAX_K);
            }
            if (ef < k || ef > Limits.MAX_EF) {
                throw new InvalidVectorException("ef is " + ef + "; it must be at least k (" + k + ") and at most "
                        + Limits.MAX_EF);
            }
            float[] prepared = VectorValidator.prepare(query, dimension(), config.metric(), "query vector");
            if (readerSearcher == null || graph.entryPoint == GraphHeader.NO_ENTRY) {
                return EMPTY;
            }
            GraphSearcher s = readerSearcher;
            int start = s.descend(prepared, 0);
            s.searchLayer(prepared, start, s.lastDistance(), ef, 0);
            if (buffer.length < s.resultCount()) {
                buffer = new long[s.resultCount()];
            }
            int found = Math.min(k, s.drainAscending(buffer));
            String[] ids = new String[found];
            float[] distances = new float[found];
            for (int i = 0; i < found; i++) {
                ids[i] = graph.ids[ScoredNode.node(buffer[i])];
                distances[i] = ScoredNode.distance(buffer[i]);
            }
            return new SearchResult(ids, distances);
        }
    }

    /** Repairs around every tombstone now instead of waiting for the threshold. */
    public void consolidate() {
        if (graph != null && graph.tombstoneCount > 0) {
            consolidator.consolidate();
            graph.writeHeader(config);
        }
    }

    /** Live nodes that cannot be reached from the entry point through layer-0 links. O(index size). */
    public int unreachableCount() {
        return graph == null ? 0 : consolidator.countUnreachable();
    }

    /** The stored header; for tests and diagnostics. */
    GraphHeader header() {
        return graph == null ? null : graph.header(config);
    }

    HnswGraph graph() {
        return graph;
    }

    private void initGraph(int dim, int capacity) {
        graph = new HnswGraph(dim, config.m(), config.metric(), store, capacity);
        searcher = new GraphSearcher(graph);
        NeighborSelector selector = new NeighborSelector(graph);
        inserter = new GraphInserter(graph, searcher, selector, config.efConstruction());
        consolidator = new GraphConsolidator(graph, searcher, inserter, selector, config);
        reader = null;
    }

    private boolean sameVector(int node, float[] vector) {
        int offset = node * graph.dim;
        for (int i = 0; i < graph.dim; i++) {
            if (Float.floatToIntBits(graph.vectors[offset + i]) != Float.floatToIntBits(vector[i])) {
                return false;
            }
        }
        return true;
    }

    private void afterChange() {
        int tombstones = graph.tombstoneCount;
        if (tombstones > 0 && tombstones >= config.consolidateFraction() * (tombstones + graph.liveCount)) {
            consolidator.consolidate();
        }
        consolidator.reconnectOrphans();
        graph.writeHeader(config);
    }
}
