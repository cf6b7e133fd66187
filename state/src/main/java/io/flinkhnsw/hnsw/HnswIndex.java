package io.flinkhnsw.hnsw;

import java.util.Arrays;
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
    public static final int MAX_DIMENSION = 4096;
    public static final int MAX_K = 1000;

    private final HnswConfig config;
    private final GraphStore store;
    private final LevelGenerator levels;
    private final Map<String, Integer> nodesById;
    /** Ids inserted and their total length, for the memory estimate. */
    private long insertedIds;
    private long insertedIdChars;
    private HnswGraph graph;
    private GraphSearcher searcher;
    private GraphInserter inserter;
    private GraphConsolidator consolidator;
    private Reader reader;

    private HnswIndex(HnswConfig config, GraphStore store, int expectedSize) {
        // sized up front when loading a key: no rehashing while its ids are read
        this.nodesById = new HashMap<>(Math.max(16, (int) Math.min(1 << 30, expectedSize * 4L / 3 + 1)));
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.levels = new LevelGenerator(config.seed(), config.m());
    }

    /** A new, empty index that writes every change through {@code store}. */
    public static HnswIndex create(HnswConfig config, GraphStore store) {
        return new HnswIndex(config, store, 0);
    }

    /** Rebuilds the index {@code store} holds; null when nothing was ever written to it. */
    public static HnswIndex load(GraphStore store) {
        GraphHeader header = store.readHeader();
        if (header == null) {
            return null;
        }
        HnswIndex index = new HnswIndex(header.config(), store, header.liveCount());
        if (header.dimension() > 0) {
            index.initGraph(header.dimension(), header.highWater());
            HnswGraph g = index.graph;
            store.readNodes((node, id, level, vector, links, tombstone) -> {
                g.restoreNode(node, id, level, vector, links, tombstone);
                if (!tombstone) {
                    index.nodesById.put(id, node);
                }
                index.insertedIds++;
                index.insertedIdChars += id.length();
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
        upsertPrepared(id, VectorValidator.prepare(vector, dimension(), config.metric(), "vector"));
    }

    /** {@link #upsert} of a vector already validated and prepared for this index's metric (a moved backlog vector). */
    void upsertPrepared(String id, float[] prepared) {
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
        insertedIds++;
        insertedIdChars += id.length();
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
     * {@code ef}. Throws {@link InvalidVectorException} when k is outside 1..{@value #MAX_K}, ef is
     * below k or above {@link HnswConfig#MAX_EF}, or the query is unusable.
     */
    public SearchResult search(float[] query, int k, int ef) {
        if (reader == null) {
            reader = new Reader();
        }
        return reader.search(query, k, ef);
    }

    /** {@link #search(float[], int, int)} of a query already validated and prepared for this index's metric. */
    SearchResult searchPrepared(float[] prepared, int k, int ef) {
        if (reader == null) {
            reader = new Reader();
        }
        return reader.searchPrepared(prepared, k, ef);
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
            if (k < 1 || k > MAX_K) {
                throw new InvalidVectorException("k is " + k + "; it must be between 1 and " + MAX_K);
            }
            if (ef < k || ef > HnswConfig.MAX_EF) {
                throw new InvalidVectorException("ef is " + ef + "; it must be at least k (" + k + ") and at most "
                        + HnswConfig.MAX_EF);
            }
            return searchPrepared(VectorValidator.prepare(query, dimension(), config.metric(), "query vector"), k, ef);
        }

        /** The search of a query already validated and prepared for this index's metric. */
        SearchResult searchPrepared(float[] prepared, int k, int ef) {
            if (readerSearcher == null || graph.entryPoint == GraphHeader.NO_ENTRY) {
                return SearchResult.EMPTY;
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

    /** The stored header, null before the first vector. */
    GraphHeader header() {
        return graph == null ? null : graph.header(config);
    }

    /** Slots 0..slots()-1 may hold nodes; see {@link #readNode}. */
    int slots() {
        return graph == null ? 0 : graph.highWater;
    }

    /** Live nodes plus tombstones: the slots in use. */
    int usedSlots() {
        return graph == null ? 0 : graph.liveCount + graph.tombstoneCount;
    }

    boolean occupied(int node) {
        return graph != null && node < graph.highWater && graph.levels[node] != HnswGraph.FREE;
    }

    /** The id of an occupied slot. */
    String idOf(int node) {
        assert occupied(node);
        return graph.ids[node];
    }

    /** Copies the stored vector of an occupied slot into {@code out}. */
    void copyVector(int node, float[] out) {
        assert occupied(node);
        System.arraycopy(graph.vectors, node * graph.dim, out, 0, graph.dim);
    }

    /**
     * Hands {@code node} to the visitor as a {@link GraphStore} would on load: its id, level, stored
     * vector (a copy), links per layer and tombstone flag. False, and no call, when the slot is free.
     * Lets a write-back store read the latest value of what changed instead of copying every change.
     */
    boolean readNode(int node, GraphStore.NodeVisitor visitor) {
        if (!occupied(node)) {
            return false;
        }
        HnswGraph g = graph;
        int level = g.levels[node];
        int[][] links = new int[level + 1][];
        for (int layer = 0; layer <= level; layer++) {
            int[] array = g.linkArray(node, layer);
            int base = g.linkBase(node, layer);
            links[layer] = Arrays.copyOfRange(array, base + 1, base + 1 + array[base]);
        }
        float[] vector = Arrays.copyOfRange(g.vectors, node * g.dim, (node + 1) * g.dim);
        visitor.node(node, g.ids[node], level, vector, links, g.tombstone[node]);
        return true;
    }

    // ---- memory estimate: a stand-in until the graph layout work of issue 11 brings its own accounting ----

    /**
     * Heap bytes of this index, estimated in O(1) from array capacities: vectors, levels, layer-0 and
     * upper-layer links (upper layers by their expected share, 1/(M-1) of a layer per node), ids and
     * the id map (ids by their average length so far), search scratch.
     */
    public long ramBytesUsed() {
        long bytes = RamUsage.object(64) + RamUsage.object(48) /* id map */;
        if (graph == null) {
            return bytes;
        }
        HnswGraph g = graph;
        long cap = g.capacity();
        long used = (long) g.liveCount + g.tombstoneCount;
        bytes += RamUsage.floats(cap * g.dim) + RamUsage.ints(cap) + RamUsage.ints(cap * g.stride0)
                + RamUsage.references(cap) + RamUsage.bytes(cap) + RamUsage.ints(cap);
        bytes += (long) (used * (g.strideUpper * 4.0 / (g.m - 1) + (double) RamUsage.ARRAY_HEADER / g.m));
        double averageIdChars = insertedIds == 0 ? 0 : (double) insertedIdChars / insertedIds;
        bytes += (long) (used * (RamUsage.string(0) + averageIdChars));
        // HashMap: table slot, node (hash, key, value, next), boxed slot
        long table = Long.highestOneBit(Math.max(1, nodesById.size() * 4L / 3) * 2 - 1);
        bytes += RamUsage.references(table)
                + nodesById.size() * (RamUsage.object(4 + 3 * RamUsage.REFERENCE) + RamUsage.object(4));
        // visited sets of the searcher, the reader and consolidation, candidate heaps
        bytes += 3 * RamUsage.ints(cap) + 4 * RamUsage.longs(Math.max(256, config.efConstruction()));
        return bytes;
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
