package io.flinkhnsw.hnsw;

import java.util.Objects;

/**
 * The index of one partition key, in two tiers. A key starts <em>flat</em>: its vectors in one
 * {@link FlatVectors} (upsert and delete O(1), a query is an exact scan with recall 1). When it
 * reaches its flat limit it becomes a <em>graph</em>: an empty {@link HnswIndex} is created and the
 * flat vectors become its backlog, which every later write event of the key drains by
 * {@link #MOVES_PER_WRITE} vectors (the last backlog slot first), so no single event pays for the
 * whole key; ids not in the backlog go straight into the graph. While a backlog remains, a query
 * searches the graph and scans the backlog exactly and merges the two (nearest first, ties: graph
 * before backlog, then by slot). Which tier a key is in, and the backlog and its order, follow from
 * the key's events alone, and are all in what the {@link Listener} and the graph's {@link GraphStore}
 * receive, so a restored or replayed key is the same index. A key does not go back to flat when it
 * shrinks. Not thread-safe.
 */
public final class KeyIndex {
    /** Backlog vectors moved into the graph per write event. */
    public static final int MOVES_PER_WRITE = 4;

    /** Receives the key's changes that are not the graph's: its header and its flat slots. */
    public interface Listener {
        void headerChanged();

        /** {@code slot} of the flat tier now holds another id or vector (read it back with {@link #flatId}). */
        void flatChanged(int slot);

        /** {@code slot} of the flat tier is gone (the flat tier shrank to {@code slot} or fewer). */
        void flatRemoved(int slot);
    }

    /** Receives stored flat slots when a key is loaded. */
    public interface FlatVisitor {
        void slot(int slot, String id, float[] vector);
    }

    /** Reads a key's stored flat slots. */
    public interface FlatSource {
        /** Calls the visitor once for each of the {@code count} stored slots, in any order. */
        void read(int count, FlatVisitor visitor);
    }

    private final HnswConfig config;
    private final int flatLimitOverride;
    private final Listener listener;
    private final GraphStore graphStore;
    private int dimension;
    private FlatVectors flat;
    private HnswIndex graph;

    private KeyIndex(HnswConfig config, int flatLimitOverride, Listener listener, GraphStore graphStore) {
        this.config = Objects.requireNonNull(config, "config");
        this.flatLimitOverride = flatLimitOverride;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.graphStore = Objects.requireNonNull(graphStore, "graphStore");
    }

    /**
     * A new, empty key index. {@code flatLimit} is the size at which it becomes a graph, 0 for
     * {@link #defaultFlatLimit}; the graph tier writes through {@code graphStore}.
     */
    public static KeyIndex create(HnswConfig config, int flatLimit, Listener listener, GraphStore graphStore) {
        return new KeyIndex(config, flatLimit, listener, graphStore);
    }

    /**
     * Rebuilds a stored key index: its header, its flat slots from {@code flat}, and, when the header
     * says it is a graph, its graph from {@code graphStore} (which it then writes through).
     */
    public static KeyIndex load(KeyHeader header, FlatSource flat, GraphStore graphStore, int flatLimit,
                                Listener listener) {
        KeyIndex index = new KeyIndex(header.config(), flatLimit, listener, graphStore);
        index.dimension = header.dimension();
        if (header.dimension() > 0) {
            index.flat = FlatVectors.restore(header.dimension(), header.config().metric(), header.flatCount(), flat);
        }
        if (header.graph()) {
            index.graph = HnswIndex.load(graphStore);
            if (index.graph == null) {
                index.graph = HnswIndex.create(header.config(), graphStore);
            }
        }
        return index;
    }

    /** A key written before keys had tiers: a graph with no backlog. */
    public static KeyIndex ofGraph(HnswIndex graph, int flatLimit, Listener listener, GraphStore graphStore) {
        KeyIndex index = new KeyIndex(graph.config(), flatLimit, listener, graphStore);
        index.graph = graph;
        index.dimension = graph.dimension();
        if (index.dimension > 0) {
            index.flat = new FlatVectors(index.dimension, graph.config().metric(), 0);
        }
        return index;
    }

    /**
     * The flat limit by dimension when none is configured: near where a search of the graph at the
     * default ef becomes cheaper than an exact scan (measured; see docs/ARCHITECTURE.md).
     */
    public static int defaultFlatLimit(int dimension) {
        return dimension < 512 ? 1536 : 1024;
    }

    /**
     * Heap bytes one vector of a graph key takes, for sizing limits: the vector, its layer-0 and
     * expected upper-layer links, id and maps, with a quarter more for array growth. An estimate.
     */
    public static long estimatedBytesPerVector(int dimension, int m) {
        return (4L * dimension + 8L * m + 140) * 5 / 4;
    }

    /**
     * The most live vectors one key of this shape can hold: its arrays stay within Java's array
     * limit, with room for the deleted vectors a graph keeps until it consolidates.
     */
    public static long maxVectors(int dimension, int m) {
        return (long) (Math.min(FlatVectors.maxCapacity(dimension), HnswGraph.maxCapacity(dimension, m)) * 0.85);
    }

    public HnswConfig config() {
        return config;
    }

    public int dimension() {
        return dimension;
    }

    public boolean isGraph() {
        return graph != null;
    }

    /** Live vectors, both tiers. */
    public int size() {
        return flatSize() + (graph == null ? 0 : graph.size());
    }

    /** Deleted vectors still in the graph. */
    public int tombstones() {
        return graph == null ? 0 : graph.tombstones();
    }

    /** Vectors in the flat tier, or in the backlog of a graph. */
    public int flatSize() {
        return flat == null ? 0 : flat.size();
    }

    public boolean contains(String id) {
        return (flat != null && flat.slotOf(id) >= 0) || (graph != null && graph.contains(id));
    }

    public KeyHeader header() {
        return new KeyHeader(config, dimension, graph != null, flatSize());
    }

    public int flatLimit() {
        return flatLimitOverride > 0 ? flatLimitOverride : defaultFlatLimit(dimension);
    }

    /**
     * Inserts {@code vector} under {@code id}, replacing the vector the id had. Throws
     * {@link InvalidVectorException} and changes nothing when the id or vector is unusable, or the
     * key cannot grow any more. The array is not retained.
     */
    public void upsert(String id, float[] vector) {
        if (id == null || id.isEmpty()) {
            throw new InvalidVectorException("missing id");
        }
        float[] prepared = VectorValidator.prepare(vector, dimension, config.metric(), "vector");
        if (dimension == 0) {
            dimension = prepared.length;
            flat = new FlatVectors(dimension, config.metric(), 4);
            listener.headerChanged();
        }
        int slot = flat.slotOf(id);
        if (slot >= 0) {
            if (flat.replace(slot, prepared)) {
                listener.flatChanged(slot);
            }
        } else if (graph == null) {
            if (flat.size() >= FlatVectors.maxCapacity(dimension)) {
                throw full();
            }
            listener.flatChanged(flat.append(id, prepared));
            listener.headerChanged();
            if (flat.size() >= flatLimit()) {
                graph = HnswIndex.create(config, graphStore);
                listener.headerChanged();
            }
        } else {
            if (graphFull()) {
                throw full();
            }
            graph.upsertPrepared(id, prepared);
        }
        drainBacklog();
    }

    /** Removes {@code id}; false when it is not in the index. */
    public boolean delete(String id) {
        if (id == null || flat == null) {
            return false;
        }
        int slot = flat.slotOf(id);
        if (slot >= 0) {
            removeFlat(slot);
        } else if (graph == null || !graph.delete(id)) {
            return false;
        }
        drainBacklog();
        return true;
    }

    /**
     * The k nearest live vectors to {@code query}, nearest first: exact on the flat tier and the
     * backlog, a beam search of width {@code ef} on the graph. Throws {@link InvalidVectorException}
     * when k is outside 1..{@value HnswIndex#MAX_K}, ef is below k or above {@link HnswConfig#MAX_EF},
     * or the query is unusable.
     */
    public SearchResult search(float[] query, int k, int ef) {
        if (k < 1 || k > HnswIndex.MAX_K) {
            throw new InvalidVectorException("k is " + k + "; it must be between 1 and " + HnswIndex.MAX_K);
        }
        if (ef < k || ef > HnswConfig.MAX_EF) {
            throw new InvalidVectorException("ef is " + ef + "; it must be at least k (" + k + ") and at most "
                    + HnswConfig.MAX_EF);
        }
        float[] prepared = VectorValidator.prepare(query, dimension, config.metric(), "query vector");
        SearchResult fromGraph = graph == null || graph.size() == 0 ? null : graph.searchPrepared(prepared, k, ef);
        if (flatSize() == 0) {
            return fromGraph != null ? fromGraph : SearchResult.EMPTY;
        }
        long[] scanned = new long[Math.min(k, flat.size())];
        int n = flat.search(prepared, k, new LongMinHeap(Math.min(k, flat.size()) + 1), scanned);
        int g = fromGraph == null ? 0 : fromGraph.size();
        int total = Math.min(k, g + n);
        String[] ids = new String[total];
        float[] distances = new float[total];
        for (int out = 0, i = 0, j = 0; out < total; out++) {
            boolean takeGraph = j == n || (i < g && fromGraph.distance(i) <= ScoredNode.distance(scanned[j]));
            if (takeGraph) {
                ids[out] = fromGraph.id(i);
                distances[out] = fromGraph.distance(i++);
            } else {
                ids[out] = flat.id(ScoredNode.node(scanned[j]));
                distances[out] = ScoredNode.distance(scanned[j++]);
            }
        }
        return new SearchResult(ids, distances);
    }

    /** The id in flat slot {@code slot} (slot below {@link #flatSize}). */
    public String flatId(int slot) {
        return flat.id(slot);
    }

    /** Copies the stored vector of flat slot {@code slot} into {@code out}. */
    public void flatVector(int slot, float[] out) {
        flat.copyVector(slot, out);
    }

    /** The graph tier's header; null before it has a vector. */
    public GraphHeader graphHeader() {
        return graph == null ? null : graph.header();
    }

    /** Graph slots 0..graphSlots()-1 may hold nodes. */
    public int graphSlots() {
        return graph == null ? 0 : graph.slots();
    }

    public boolean graphSlotOccupied(int node) {
        return graph != null && graph.occupied(node);
    }

    /** The id of occupied graph slot {@code node}. */
    public String graphId(int node) {
        return graph.idOf(node);
    }

    /** Copies the stored vector of occupied graph slot {@code node} into {@code out}. */
    public void graphVector(int node, float[] out) {
        graph.copyVector(node, out);
    }

    /** Hands graph node {@code node} to the visitor; false when the slot is free. See {@link HnswIndex#readNode}. */
    public boolean readGraphNode(int node, GraphStore.NodeVisitor visitor) {
        return graph != null && graph.readNode(node, visitor);
    }

    /** Estimated heap bytes of this key's index: both tiers, ids and id tables included. O(1). */
    public long ramBytesUsed() {
        return RamUsage.object(4 + 4 + 4 * RamUsage.REFERENCE) + (flat == null ? 0 : flat.ramBytesUsed())
                + (graph == null ? 0 : graph.ramBytesUsed());
    }

    private InvalidVectorException full() {
        return new InvalidVectorException("this key holds " + size() + " vectors of dimension " + dimension
                + ", the most one index can hold; shard the key");
    }

    /** No slot left for another graph node (a replaced vector takes a new slot too). */
    private boolean graphFull() {
        return graph.usedSlots() >= HnswGraph.maxCapacity(dimension, config.m());
    }

    private void removeFlat(int slot) {
        int moved = flat.remove(slot);
        if (moved >= 0) {
            listener.flatChanged(slot);
            listener.flatRemoved(moved);
        } else {
            listener.flatRemoved(slot);
        }
        listener.headerChanged();
    }

    /** Moves up to {@link #MOVES_PER_WRITE} backlog vectors into the graph, last slot first. */
    private void drainBacklog() {
        if (graph == null || flat.size() == 0) {
            return;
        }
        float[] vector = new float[dimension];
        for (int i = 0; i < MOVES_PER_WRITE && flat.size() > 0 && !graphFull(); i++) {
            int last = flat.size() - 1;
            String id = flat.id(last);
            flat.copyVector(last, vector);
            flat.remove(last);
            listener.flatRemoved(last);
            graph.upsertPrepared(id, vector);
        }
        listener.headerChanged();
    }
}
