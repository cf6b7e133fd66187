package io.flinkhnsw.hnsw;

import java.util.Objects;

/**
 * The index of one partition key: a <em>backlog</em> of vectors in one {@link FlatVectors} (exact
 * scan, O(1) upsert and delete) and, once the key has grown, an HNSW graph ({@link HnswIndex}).
 * A small key is only a backlog: flat, exact, recall 1. New ids always go to the backlog. When the
 * backlog reaches the flat limit the key <em>drains</em> it: every later write event that changes
 * the key moves {@link #MOVES_PER_WRITE} backlog vectors (the last slot first) into the graph,
 * creating the graph the first time, until the backlog is empty; then it fills again. A query
 * searches the graph, scans the backlog exactly and merges both (nearest first; ties: graph before
 * backlog, then slot). Replacing or deleting an id that is in the graph changes the graph.
 *
 * <p>Draining in batches is what makes a cold key cheap: between drains a write to a key whose
 * graph is not in memory needs only its backlog (and, for an id not in the backlog, whether the
 * stored graph holds it), so the graph is loaded from its {@link GraphSource} only for queries,
 * drains and changes to graph ids. Which vectors are where, and when a key drains, follow from the
 * key's write events alone and are all in what the {@link Listener} and the graph's
 * {@link GraphStore} receive (the drain flag is in the header), never from whether the graph was in
 * memory, so a restored or replayed key is the same index. Not thread-safe.
 */
public final class KeyIndex {
    /** Backlog vectors moved into the graph per write event while a key drains. */
    public static final int MOVES_PER_WRITE = 8;

    /** Receives the key's changes that are not the graph's: its header and its backlog slots. */
    public interface Listener {
        /** Ignores every change: for a key nobody writes back (benchmarks, reference copies). */
        Listener NONE = new Listener() {
            @Override
            public void headerChanged() {
            }

            @Override
            public void flatChanged(int slot) {
            }

            @Override
            public void flatRemoved(int slot) {
            }
        };

        void headerChanged();

        /** Backlog {@code slot} now holds another id or vector (read it back with {@link #flatId}). */
        void flatChanged(int slot);

        /** Backlog {@code slot} is gone (the backlog shrank to {@code slot} or fewer). */
        void flatRemoved(int slot);
    }

    /** Receives stored backlog slots when a key is loaded. */
    public interface FlatVisitor {
        void slot(int slot, String id, float[] vector);
    }

    /** Reads a key's stored backlog slots. */
    public interface FlatSource {
        /** Calls the visitor once for each of the {@code count} stored slots, in any order. */
        void read(int count, FlatVisitor visitor);
    }

    /** Where a key's graph is kept while it is not in memory. */
    public interface GraphSource {
        /** A source with nothing stored: a key kept in memory only. */
        GraphSource NONE = new GraphSource() {
            @Override
            public HnswIndex load() {
                return null;
            }

            @Override
            public boolean contains(String id) {
                return false;
            }

            @Override
            public float[] vector(String id) {
                return null;
            }
        };

        /** The stored graph, writing through its store from then on; null when none is stored. */
        HnswIndex load();

        /** Whether the stored graph has a live vector under {@code id}, without loading it. */
        boolean contains(String id);

        /** The stored graph's live vector of {@code id} (as the graph keeps it), without loading the graph; null when none. */
        float[] vector(String id);
    }

    private final HnswConfig config;
    private final int flatLimitOverride;
    private final Listener listener;
    private final GraphStore graphStore;
    private final GraphSource graphSource;
    private int dimension;
    private FlatVectors flat;
    private boolean hasGraph;
    private boolean draining;
    /** The graph when in memory; while it is not, its counts from its stored header. */
    private HnswIndex graph;
    private int storedLive;
    private int storedTombstones;
    /** Events that needed the graph so far: lets a cache keep the graphs that are used most. */
    private long graphUses;

    private KeyIndex(HnswConfig config, int flatLimitOverride, Listener listener, GraphStore graphStore,
                     GraphSource graphSource) {
        this.config = Objects.requireNonNull(config, "config");
        this.flatLimitOverride = flatLimitOverride;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.graphStore = Objects.requireNonNull(graphStore, "graphStore");
        this.graphSource = Objects.requireNonNull(graphSource, "graphSource");
    }

    /**
     * A new, empty key index. {@code flatLimit} is the backlog size at which it drains into a graph,
     * 0 for {@link #defaultFlatLimit}; a graph writes through {@code graphStore} and is loaded from
     * {@code graphSource}.
     */
    public static KeyIndex create(HnswConfig config, int flatLimit, Listener listener, GraphStore graphStore,
                                  GraphSource graphSource) {
        return new KeyIndex(config, flatLimit, listener, graphStore, graphSource);
    }

    /**
     * A stored key index without its graph: its header, its backlog from {@code flat}, and the
     * counts of its graph from the graph's stored header ({@code graphHeader}, null when it has no
     * graph). The graph is loaded from {@code graphSource} when an event needs it.
     */
    public static KeyIndex load(KeyHeader header, FlatSource flat, GraphHeader graphHeader, int flatLimit,
                                Listener listener, GraphStore graphStore, GraphSource graphSource) {
        KeyIndex index = new KeyIndex(header.config(), flatLimit, listener, graphStore, graphSource);
        index.dimension = header.dimension();
        index.hasGraph = header.graph();
        index.draining = header.draining();
        if (header.dimension() > 0) {
            index.flat = FlatVectors.restore(header.dimension(), header.config().metric(), header.flatCount(), flat);
        }
        if (graphHeader != null) {
            index.storedLive = graphHeader.liveCount();
            index.storedTombstones = graphHeader.tombstoneCount();
        }
        return index;
    }

    /** A key written before keys had backlogs: its graph, in memory, and an empty backlog. */
    public static KeyIndex ofGraph(HnswIndex graph, int flatLimit, Listener listener, GraphStore graphStore,
                                   GraphSource graphSource) {
        KeyIndex index = new KeyIndex(graph.config(), flatLimit, listener, graphStore, graphSource);
        index.graph = graph;
        index.hasGraph = true;
        index.dimension = graph.dimension();
        if (index.dimension > 0) {
            index.flat = new FlatVectors(index.dimension, graph.config().metric(), 0);
        }
        return index;
    }

    /**
     * The flat limit by dimension when none is configured: near where a search of the graph at the
     * default ef (128 for k up to 32) becomes cheaper than an exact scan (measured; see
     * docs/ARCHITECTURE.md).
     */
    public static int defaultFlatLimit(int dimension) {
        return dimension < 512 ? 2048 : 1536;
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
     * limit, with room for the deleted vectors a graph keeps until their repair is done.
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

    /** True once the key has a graph (in memory or not). */
    public boolean isGraph() {
        return hasGraph;
    }

    /**
     * Brings a key's stored graph into memory, as the first operation needing it would; for readers
     * that list every node (the graph accessors below see only a graph in memory). No-op for a flat key.
     */
    public void loadGraph() {
        if (hasGraph) {
            graph();
        }
    }

    /** True while the key's graph is in memory. */
    public boolean graphLoaded() {
        return graph != null;
    }

    /** How many times so far an operation needed the graph (loaded or not). */
    public long graphUses() {
        return graphUses;
    }

    /**
     * Drops the graph from memory, keeping its counts; it is loaded again from the graph source when
     * needed. Everything the graph changed must have been written to its store first.
     */
    public void unloadGraph() {
        if (graph != null) {
            storedLive = graph.size();
            storedTombstones = graph.tombstones();
            graph = null;
        }
    }

    /** True while the backlog is being moved into the graph. */
    public boolean draining() {
        return draining;
    }

    /** Live vectors, backlog and graph. */
    public int size() {
        return flatSize() + (graph != null ? graph.size() : storedLive);
    }

    /** Deleted vectors still in the graph. */
    public int tombstones() {
        return graph != null ? graph.tombstones() : storedTombstones;
    }

    /** Vectors in the backlog (all of a key's vectors before it has a graph). */
    public int flatSize() {
        return flat == null ? 0 : flat.size();
    }

    /** Whether {@code id} has a live vector; may ask the graph's source, never loads the graph. */
    public boolean contains(String id) {
        return (flat != null && flat.slotOf(id) >= 0) || graphContains(id);
    }

    public KeyHeader header() {
        return new KeyHeader(config, dimension, hasGraph, draining, flatSize());
    }

    public int flatLimit() {
        return flatLimit(flatLimitOverride, dimension);
    }

    /**
     * Throws the {@link InvalidVectorException} an {@link #upsert} of {@code vector} into a key with
     * this header would throw for the vector itself; returns normally when it fits the key.
     */
    public static void checkVector(KeyHeader header, float[] vector) {
        VectorValidator.check(vector, header.dimension(), header.config().metric(), "vector");
    }

    /** The flat limit of a key of {@code dimension}: {@code override} when positive, else {@link #defaultFlatLimit}. */
    public static int flatLimit(int override, int dimension) {
        return override > 0 ? override : defaultFlatLimit(dimension);
    }

    /**
     * Inserts {@code vector} under {@code id}, replacing the vector the id had; returns whether it
     * had one. Throws {@link InvalidVectorException} and changes nothing when the id or vector is
     * unusable, or the key cannot grow any more. The array is not retained.
     */
    public boolean upsert(String id, float[] vector) {
        if (id == null || id.isEmpty()) {
            throw new InvalidVectorException("missing id");
        }
        float[] prepared = VectorValidator.prepare(vector, dimension, config.metric(), "vector");
        if (dimension == 0) {
            dimension = prepared.length;
            flat = new FlatVectors(dimension, config.metric(), 1);
            listener.headerChanged();
        }
        int slot = flat.slotOf(id);
        boolean replaced = slot >= 0 || graphContains(id);
        if (slot >= 0) {
            if (flat.replace(slot, prepared)) {
                listener.flatChanged(slot);
            }
        } else if (replaced) {
            HnswIndex g = graph();
            if (graphFull(g)) {
                throw full();
            }
            g.upsertPrepared(id, prepared);
        } else {
            if (flat.size() >= FlatVectors.maxCapacity(dimension) || size() >= maxVectors(dimension, config.m())) {
                throw full();
            }
            listener.flatChanged(flat.append(id, prepared));
            listener.headerChanged();
        }
        afterWrite();
        return replaced;
    }

    /** Removes {@code id}; false when it is not in the index. */
    public boolean delete(String id) {
        if (id == null || flat == null) {
            return false;
        }
        int slot = flat.slotOf(id);
        if (slot >= 0) {
            removeFlat(slot);
        } else if (!graphContains(id) || !graph().delete(id)) {
            return false;
        }
        afterWrite();
        return true;
    }

    /**
     * The k nearest live vectors to {@code query}, nearest first: exact on the backlog, a beam search
     * of width {@code ef} on the graph (loaded if it is not in memory). Throws
     * {@link InvalidVectorException} when k is outside 1..{@link Limits#MAX_K}, ef is below k or
     * above {@link Limits#MAX_EF}, or the query is unusable.
     */
    public SearchResult search(float[] query, int k, int ef) {
        return search(query, k, ef, null);
    }

    /**
     * As {@link #search(float[], int, int)}, returning only vectors {@code filter} accepts (all when
     * null): the backlog is scanned with the filter, the graph searched as
     * {@link HnswIndex.Reader#search(float[], int, int, IdFilter)} does.
     */
    public SearchResult search(float[] query, int k, int ef, IdFilter filter) {
        HnswIndex.checkSearch(k, ef);
        float[] prepared = VectorValidator.prepare(query, dimension, config.metric(), "query vector");
        boolean searchGraph = hasGraph && (graph != null ? graph.size() : storedLive) > 0;
        SearchResult fromGraph = !searchGraph ? null
                : filter == null ? graph().searchPrepared(prepared, k, ef)
                : graph().searchPrepared(prepared, k, ef, filter, size());
        if (flatSize() == 0) {
            return fromGraph != null ? fromGraph : SearchResult.EMPTY;
        }
        int g = fromGraph == null ? 0 : fromGraph.size();
        // a backlog vector farther than the graph's k-th answer cannot make the merged top k
        float bound = g < k ? Float.POSITIVE_INFINITY : fromGraph.distance(k - 1);
        long[] scanned = new long[Math.min(k, flat.size())];
        int n = flat.search(prepared, k, filter, bound, new LongMinHeap(Math.min(k, flat.size()) + 1), scanned);
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

    /**
     * A copy of the vector stored under {@code id}, as the metric keeps it (unit length under
     * cosine), or null when the id has none. Never loads the graph: a graph not in memory is asked
     * through its source, which reads just that vector.
     */
    public float[] vector(String id) {
        int slot = flat == null ? -1 : flat.slotOf(id);
        if (slot >= 0) {
            float[] out = new float[dimension];
            flat.copyVector(slot, out);
            return out;
        }
        if (!hasGraph) {
            return null;
        }
        return graph != null ? graph.vector(id) : graphSource.vector(id);
    }

    /** The id in backlog slot {@code slot} (slot below {@link #flatSize}). */
    public String flatId(int slot) {
        return flat.id(slot);
    }

    /** Copies the stored vector of backlog slot {@code slot} into {@code out}. */
    public void flatVector(int slot, float[] out) {
        flat.copyVector(slot, out);
    }

    /** The header of the graph in memory; null when it is not in memory or has no vector yet. */
    public GraphHeader graphHeader() {
        return graph == null ? null : graph.header();
    }

    /** Slots 0..graphSlots()-1 of the graph in memory may hold nodes. */
    public int graphSlots() {
        return graph == null ? 0 : graph.slots();
    }

    public boolean graphSlotOccupied(int node) {
        return graph != null && graph.occupied(node);
    }

    /** Whether the graph, in memory or as stored, has a live vector under {@code id}; never loads it. */
    public boolean graphContains(String id) {
        return hasGraph && (graph != null ? graph.contains(id) : graphSource.contains(id));
    }

    /** The id of occupied slot {@code node} of the graph in memory. */
    public String graphId(int node) {
        return graph.idOf(node);
    }

    /** Copies the stored vector of occupied slot {@code node} of the graph in memory into {@code out}. */
    public void graphVector(int node, float[] out) {
        graph.copyVector(node, out);
    }

    /** Hands graph node {@code node} to the visitor; false when the slot is free. See {@link HnswIndex#readNode}. */
    public boolean readGraphNode(int node, HnswIndex.NodeLinksVisitor visitor) {
        return graph != null && graph.readNode(node, visitor);
    }

    /** Estimated heap bytes of this key's index in memory: the backlog, and the graph when loaded. O(1). */
    public long ramBytesUsed() {
        return RamUsage.object(4 * 4 + 2 + 5 * RamUsage.REFERENCE) + (flat == null ? 0 : flat.ramBytesUsed())
                + (graph == null ? 0 : graph.ramBytesUsed());
    }

    /** Direct memory of the key: its graph's full-precision vectors when the graph is int8 and loaded. */
    public long offHeapBytesUsed() {
        return graph == null ? 0 : graph.offHeapBytesUsed();
    }

    /** The graph, loaded from its source if it is not in memory (a new one if none is stored). */
    private HnswIndex graph() {
        graphUses++;
        if (graph == null) {
            graph = graphSource.load();
            if (graph == null) {
                graph = HnswIndex.create(config, graphStore);
            }
        }
        return graph;
    }

    private InvalidVectorException full() {
        return new InvalidVectorException("this key holds " + size() + " vectors of dimension " + dimension
                + ", the most one index can hold; shard the key");
    }

    /** No slot left for another graph node (a replaced vector takes a new slot too). */
    private boolean graphFull(HnswIndex g) {
        return g.usedSlots() >= HnswGraph.maxCapacity(dimension, config.m());
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

    /**
     * After a write that changed the key: a full backlog starts a drain (a new key gets its graph
     * here); while draining, {@link #MOVES_PER_WRITE} backlog vectors move into the graph, last slot
     * first, until the backlog is empty.
     */
    private void afterWrite() {
        if (!draining && flat.size() >= flatLimit()) {
            draining = true;
            hasGraph = true;
            listener.headerChanged();
        }
        if (!draining) {
            return;
        }
        HnswIndex g = graph();
        float[] vector = new float[dimension];
        for (int i = 0; i < MOVES_PER_WRITE && flat.size() > 0 && !graphFull(g); i++) {
            int last = flat.size() - 1;
            String id = flat.id(last);
            flat.copyVector(last, vector);
            flat.remove(last);
            listener.flatRemoved(last);
            g.upsertPrepared(id, vector);
        }
        if (flat.size() == 0) {
            draining = false;
        }
        listener.headerChanged();
    }
}
