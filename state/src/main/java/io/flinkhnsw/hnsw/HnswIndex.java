package io.flinkhnsw.hnsw;

import java.util.Arrays;
import java.util.Objects;

/**
 * One incremental HNSW index: upsert, delete and k-nearest-neighbour search by external string id.
 * Inserts follow Malkov and Yashunin as hnswlib implements them; a delete leaves a tombstone that
 * search skips at once and queues its repair, which every later upsert and delete advances by a
 * bounded number of units ({@link GraphRepairer}), so no single call does work proportional to the
 * index's size. An upsert of a known id replaces the old node (a tombstone from then on) with a
 * freshly linked one. The index is deterministic: the same operations in the same order give the
 * same graph and the same answers, and {@link #load} rebuilds exactly that graph, pending repairs
 * included, from its {@link GraphStore}. With {@link Quantization#INT8} the graph walk scores int8
 * codes and every search re-ranks the walk's candidates with the full-precision vectors, so the
 * distances it returns are exact. Not thread-safe: one index is used by one thread at a time.
 */
public final class HnswIndex {
    /**
     * An int8 search re-ranks its best {@code max(RERANK_PER_K * k, RERANK_MIN)} candidates, not all
     * ef of them: on glove-tune 3k kept the recall of re-ranking all at ef 80-120 (2k lost 0.04
     * points), and at d = 784 the re-ranked vectors' reads are what a large pool costs.
     */
    static final int RERANK_PER_K = 3;
    static final int RERANK_MIN = 32;
    /** Repair units every upsert and delete performs at least; see {@link #repairBudget}. */
    private static final int MIN_REPAIR_UNITS = 32;
    /** Repair units one upsert or delete performs at most, however many deletes wait. */
    private static final int MAX_REPAIR_UNITS = 256;

    private final HnswConfig config;
    private final GraphStore store;
    private final LevelGenerator levels;
    private final IdTable nodesById;
    /** Ids inserted and their total length, for the memory estimate. */
    private long insertedIds;
    private long insertedIdBytes;
    private HnswGraph graph;
    private GraphSearcher searcher;
    private GraphInserter inserter;
    private GraphRepairer repairer;
    private Reader reader;

    private HnswIndex(HnswConfig config, GraphStore store, int expectedSize) {
        // sized up front when loading a key: no rehashing while its ids are read
        this.nodesById = new IdTable(expectedSize, new IdTable.Keys() {
            @Override
            public boolean idEquals(int node, String id) {
                return graph.idEquals(node, id);
            }

            @Override
            public int idHash(int node) {
                return graph.idHash(node);
            }
        });
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
        if (header.quantizer() != null && header.quantizer().dimension() != header.dimension()) {
            throw new IllegalStateException("stored index is inconsistent: a quantizer of dimension "
                    + header.quantizer().dimension() + " for vectors of dimension " + header.dimension());
        }
        if (header.dimension() > 0) {
            index.initGraph(header.dimension(), header.highWater(), header.quantizer());
            HnswGraph g = index.graph;
            store.readNodes((node, id, level, vector, links, deletedAt) -> {
                g.restoreNode(node, id, level, vector, links, deletedAt);
                if (deletedAt == GraphStore.NOT_DELETED) {
                    index.nodesById.put(id, node);
                }
                index.insertedIds++;
                index.insertedIdBytes += g.ids[node].length;
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

    /** Deleted nodes still in the graph, waiting for their repair to finish. */
    public int tombstones() {
        return graph == null ? 0 : graph.tombstoneCount;
    }

    public boolean contains(String id) {
        return nodeOf(id) >= 0;
    }

    /** The slot of {@code id}'s live node, or -1. */
    int nodeOf(String id) {
        return nodesById.get(id);
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
            initGraph(prepared.length, 16, null);
        }
        int existing = nodeOf(id);
        if (existing >= 0) {
            if (graph.hasVector(existing, prepared)) {
                return;
            }
            graph.markTombstone(existing);
        }
        if (graph.readyToTrain()) {
            // only in a call that changes the graph, so the header that stores the quantizer is written
            graph.train();
        }
        int level = levels.level(graph.insertSequence++);
        int node = inserter.insert(id, level, prepared);
        insertedIds++;
        insertedIdBytes += graph.ids[node].length;
        nodesById.put(id, node);
        if (!graph.hasInLink0(node) && node != graph.entryPoint) {
            graph.noteWeaklyLinked(node);
        }
        afterChange();
    }

    /** Removes {@code id}; false when it is not in the index. */
    public boolean delete(String id) {
        int node = id == null ? -1 : nodesById.remove(id);
        if (node < 0) {
            return false;
        }
        graph.markTombstone(node);
        afterChange();
        return true;
    }

    /** Throws {@link InvalidVectorException} when k is outside 1..{@link Limits#MAX_K} or ef outside k..{@link Limits#MAX_EF}. */
    static void checkSearch(int k, int ef) {
        if (k < 1 || k > Limits.MAX_K) {
            throw new InvalidVectorException("k is " + k + "; it must be between 1 and " + Limits.MAX_K);
        }
        if (ef < k || ef > Limits.MAX_EF) {
            throw new InvalidVectorException("ef is " + ef + "; it must be at least k (" + k + ") and at most "
                    + Limits.MAX_EF);
        }
    }

    /** Search with the index's default ef for k ({@link HnswConfig#efFor}). */
    public SearchResult search(float[] query, int k) {
        return search(query, k, config.efFor(k));
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

    /** {@link #search(float[], int, int)} of a query already validated and prepared for this index's metric. */
    SearchResult searchPrepared(float[] prepared, int k, int ef) {
        if (reader == null) {
            reader = new Reader();
        }
        return reader.searchPrepared(prepared, k, ef);
    }

    /** {@link Reader#search(float[], int, int, IdFilter)} of a query already validated and prepared. */
    SearchResult searchPrepared(float[] prepared, int k, int ef, IdFilter filter, int liveIds) {
        if (reader == null) {
            reader = new Reader();
        }
        return reader.searchFiltered(prepared, 1.0, k, ef, filter, liveIds);
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
        /** Nodes per batch of an exact scan. */
        private static final int SCAN_BATCH = 64;
        private final GraphSearcher readerSearcher = graph == null ? null : new GraphSearcher(graph);
        private final float[] preparedQuery = graph == null ? null : graph.newQuery();
        /** A candidate's full-precision vector, padded, while an int8 graph's results are re-ranked. */
        private final float[] rerankVector = graph == null ? null : new float[graph.paddedDim];
        private long[] buffer = new long[64];
        private final LongMinHeap exactHeap = new LongMinHeap(64);
        /** Nodes of the exact scan waiting to be scored, their vector offsets and distances. */
        private final int[] scanNodes = new int[SCAN_BATCH];
        private final int[] scanOffsets = new int[SCAN_BATCH];
        private final float[] scanDistances = new float[SCAN_BATCH];
        private int scanCount;
        private FilterPlan lastPlan;

        private Reader() {
        }

        /**
         * The k nearest live vectors to {@code query} that {@code filter} accepts, nearest first: an
         * exact scan of the matches or a filtered traversal at beam width {@code ef}, as
         * {@link FilterPlan} chooses from the estimated match count; a traversal that would score more
         * vectors than the scan, or finds fewer than k matches when the graph has k, ends in the
         * scan, so a selective filter never returns fewer than k when k match. Contract otherwise as
         * {@link HnswIndex#search(float[], int, int)}.
         */
        public SearchResult search(float[] query, int k, int ef, IdFilter filter) {
            checkSearch(k, ef);
            double scale = VectorValidator.check(query, dimension(), config.metric(), "query vector");
            return searchFiltered(query, scale, k, ef, filter, size());
        }

        /** The exact scan of a filtered search, whatever the planner would choose: to compare plans. */
        public SearchResult searchExactly(float[] query, int k, IdFilter filter) {
            checkSearch(k, k);
            double scale = VectorValidator.check(query, dimension(), config.metric(), "query vector");
            if (readerSearcher == null || graph.entryPoint == GraphHeader.NO_ENTRY) {
                return SearchResult.EMPTY;
            }
            graph.prepareQuery(query, scale, preparedQuery);
            return exact(k, filter);
        }

        /** The plan of this reader's last filtered search, a scan that a traversal gave up for counted as EXACT. */
        public FilterPlan lastPlan() {
            return lastPlan;
        }

        /** A filtered search; {@code liveIds} is the key's live vectors the filter's count is taken over. */
        SearchResult searchFiltered(float[] query, double scale, int k, int ef, IdFilter filter, int liveIds) {
            if (readerSearcher == null || graph.entryPoint == GraphHeader.NO_ENTRY) {
                return SearchResult.EMPTY;
            }
            int matches = filter.matchCount(liveIds);
            graph.prepareQuery(query, scale, preparedQuery);
            lastPlan = FilterPlan.choose(matches, size(), ef, graph.maxConn0);
            if (lastPlan != FilterPlan.EXACT) {
                GraphSearcher s = readerSearcher;
                int start = s.descend(preparedQuery, 0);
                boolean finished = s.searchLayerFiltered(preparedQuery, start, s.lastDistance(), ef, filter,
                        lastPlan == FilterPlan.TWO_HOP, matches);
                if (finished && s.resultCount() >= Math.min(k, Math.min(matches, size()))) {
                    return drain(s, k);
                }
                lastPlan = FilterPlan.EXACT;
            }
            return exact(k, filter);
        }

        /**
         * Scores every accepted live node against the prepared query, keeping the k nearest. Nodes are
         * scored in batches of {@link #SCAN_BATCH} with the batch kernel, so the cache misses of a
         * batch's vectors overlap instead of coming one at a time.
         */
        private SearchResult exact(int k, IdFilter filter) {
            LongMinHeap heap = exactHeap;
            heap.clear();
            scanCount = 0;
            boolean listed = filter.forEachMatch((id, hint) -> {
                int node = hint;
                if (hint < 0 || hint >= graph.highWater || graph.levels[hint] == HnswGraph.FREE
                        || graph.tombstone[hint] || !graph.idEquals(hint, id)) {
                    node = nodeOf(id);
                    if (node >= 0) {
                        // tells the filter where the id is, so the next scan finds it by its hint
                        filter.acceptsNode(node, graph);
                    }
                }
                if (node >= 0) {
                    scanLater(heap, k, node);
                }
            });
            if (!listed) {
                boolean[] tombstone = graph.tombstone;
                for (int node = 0; node < graph.highWater; node++) {
                    if (graph.levels[node] != HnswGraph.FREE && !tombstone[node]
                            && filter.acceptsNode(node, graph)) {
                        scanLater(heap, k, node);
                    }
                }
            }
            scanBatch(heap, k);
            int n = heap.size();
            if (buffer.length < n) {
                buffer = new long[n];
            }
            for (int i = n - 1; i >= 0; i--) {
                buffer[i] = ~heap.pop();
            }
            return result(n, k, false);
        }

        private void scanLater(LongMinHeap heap, int k, int node) {
            scanNodes[scanCount] = node;
            scanOffsets[scanCount++] = graph.vectorOffset(node);
            if (scanCount == SCAN_BATCH) {
                scanBatch(heap, k);
            }
        }

        /** Scores the waiting nodes: on an int8 graph with their full-precision vectors, so the scan stays exact. */
        private void scanBatch(LongMinHeap heap, int k) {
            if (scanCount == 0) {
                return;
            }
            if (graph.codes != null) {
                for (int i = 0; i < scanCount; i++) {
                    scanDistances[i] = exactDistance(scanNodes[i]);
                }
            } else {
                graph.distances(preparedQuery, scanOffsets, scanCount, scanDistances);
            }
            for (int i = 0; i < scanCount; i++) {
                offer(heap, k, scanDistances[i], scanNodes[i]);
            }
            scanCount = 0;
        }

        /** Same contract as {@link HnswIndex#search(float[], int, int)}. */
        public SearchResult search(float[] query, int k, int ef) {
            checkSearch(k, ef);
            return searchScaled(query, VectorValidator.check(query, dimension(), config.metric(), "query vector"), k, ef);
        }

        /** The search of a query already validated and prepared for this index's metric. */
        SearchResult searchPrepared(float[] prepared, int k, int ef) {
            return searchScaled(prepared, 1.0, k, ef);
        }

        /** Searches for {@code query} times {@code scale}, prepared (scaled, padded) into the reader's scratch. */
        private SearchResult searchScaled(float[] query, double scale, int k, int ef) {
            if (readerSearcher == null || graph.entryPoint == GraphHeader.NO_ENTRY) {
                return SearchResult.EMPTY;
            }
            graph.prepareQuery(query, scale, preparedQuery);
            GraphSearcher s = readerSearcher;
            int start = s.descend(preparedQuery, 0);
            s.searchLayer(preparedQuery, start, s.lastDistance(), ef, 0);
            return drain(s, k);
        }

        /** The k nearest of the searcher's results as a search result. */
        private SearchResult drain(GraphSearcher s, int k) {
            if (buffer.length < s.resultCount()) {
                buffer = new long[s.resultCount()];
            }
            return result(s.drainAscending(buffer), k, graph.codes != null);
        }

        /** The full-precision distance from the prepared query to {@code node}, read into {@link #rerankVector}. */
        private float exactDistance(int node) {
            graph.readVector(node, rerankVector);
            return graph.exactDistance(preparedQuery, rerankVector);
        }

        /**
         * The k nearest of the {@code n} scored nodes in {@link #buffer}, nearest first; with
         * {@code rerank} the nearest {@code max(RERANK_PER_K * k, RERANK_MIN)} of them are re-scored
         * with their full-precision vectors first, the rest dropped.
         */
        private SearchResult result(int n, int k, boolean rerank) {
            if (rerank) {
                n = Math.min(n, Math.max(RERANK_PER_K * k, RERANK_MIN));
                for (int i = 0; i < n; i++) {
                    int node = ScoredNode.node(buffer[i]);
                    buffer[i] = ScoredNode.encode(exactDistance(node), node);
                }
                ScoredNode.sortNearlySorted(buffer, n);
            }
            int found = Math.min(k, n);
            String[] ids = new String[found];
            float[] distances = new float[found];
            for (int i = 0; i < found; i++) {
                ids[i] = graph.id(ScoredNode.node(buffer[i]));
                distances[i] = ScoredNode.distance(buffer[i]);
            }
            return new SearchResult(ids, distances);
        }
    }

    /** Keeps the {@code k} nearest of the offered nodes in {@code heap} (complemented codes, ties by slot). */
    static void offer(LongMinHeap heap, int k, float distance, int node) {
        long code = ScoredNode.encode(distance, node);
        if (heap.size() < k) {
            heap.push(~code);
        } else if (code < ~heap.peek()) {
            heap.replaceTop(~code);
        }
    }

    /** Live nodes that cannot be reached from the entry point through layer-0 links. O(index size). */
    public int unreachableCount() {
        return graph == null ? 0 : repairer.countUnreachable();
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
        return graph.id(node);
    }

    /** Copies the stored (full-precision) vector of an occupied slot into {@code out}. */
    void copyVector(int node, float[] out) {
        assert occupied(node);
        graph.readVector(node, out);
    }

    /** A copy of the live vector of {@code id} as stored (prepared for the metric), or null. */
    float[] vector(String id) {
        int node = nodeOf(id);
        if (node < 0) {
            return null;
        }
        float[] out = new float[graph.dim];
        copyVector(node, out);
        return out;
    }

    /** Receives one node of a graph in memory: what a store keeps of it beside its vector. */
    public interface NodeLinksVisitor {
        /** @param links links[layer] is the node's link list on that layer, for layers 0..level */
        void node(int node, String id, int level, int[][] links, boolean tombstone);
    }

    /**
     * Hands {@code node} to the visitor: its id, level, links per layer (copies) and tombstone flag.
     * False, and no call, when the slot is free. Lets a write-back store read the latest value of
     * what changed instead of copying every change.
     */
    boolean readNode(int node, NodeLinksVisitor visitor) {
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
        visitor.node(node, g.id(node), level, links, g.tombstone[node]);
        return true;
    }

    // ---- memory estimate: a stand-in until the graph layout work of issue 11 brings its own accounting ----

    /**
     * Heap bytes of this index, estimated in O(1) from array capacities: vectors, levels, layer-0 and
     * upper-layer links (upper layers by their expected share, 1/(M-1) of a layer per node), ids and
     * the id map (ids by their average length so far), the derived indexes (reverse links, live
     * levels, repair queue), search scratch.
     */
    public long ramBytesUsed() {
        long bytes = RamUsage.object(64) + nodesById.ramBytesUsed();
        if (graph == null) {
            return bytes;
        }
        HnswGraph g = graph;
        long cap = g.capacity();
        long used = (long) g.liveCount + g.tombstoneCount;
        bytes += g.vectorRamBytesUsed() + RamUsage.bytes(cap) + RamUsage.ints(cap * g.stride0)
                + RamUsage.references(cap) + RamUsage.bytes(cap) + g.derivedRamBytesUsed();
        bytes += (long) (used * (g.strideUpper * 4.0 / (g.m - 1) + (double) RamUsage.ARRAY_HEADER / g.m));
        double averageIdBytes = insertedIds == 0 ? 0 : (double) insertedIdBytes / insertedIds;
        bytes += RamUsage.references(cap) + (long) (used * (RamUsage.ARRAY_HEADER + averageIdBytes));
        // visited sets of the searcher, the reader and the repairer, candidate heaps
        bytes += 3 * RamUsage.bytes(cap) + 4 * RamUsage.longs(Math.max(256, config.efConstruction()));
        return bytes;
    }

    /**
     * Direct memory of the index: the full-precision vectors of an int8 graph, which the walk never
     * reads (0 without quantization).
     */
    public long offHeapBytesUsed() {
        return graph == null ? 0 : graph.offHeapBytesUsed();
    }

    HnswGraph graph() {
        return graph;
    }

    private void initGraph(int dim, int capacity, ScalarQuantizer trained) {
        graph = new HnswGraph(dim, config.m(), config.metric(), config.quantization(), trained, store, capacity);
        searcher = new GraphSearcher(graph);
        NeighborSelector selector = new NeighborSelector(graph);
        inserter = new GraphInserter(graph, searcher, selector, config.efConstruction());
        repairer = new GraphRepairer(graph, searcher, inserter, selector, config);
        reader = null;
    }

    /** After every upsert and delete: a bounded slice of the pending repair, then nodes left cut off, then the header. */
    private void afterChange() {
        repairer.repair(repairBudget(graph.repairQueue.size()));
        repairer.reconnectCutOff();
        graph.writeHeader(config);
    }

    /**
     * Repair units one upsert or delete performs, given the tombstones waiting: a count, never a
     * time. A delete needs about as many units as its node had in-links (20-30 with M=16), so 32 keep
     * up with any mix that is at most half deletes; the queue's share lets a burst of deletes (or a
     * delete-only stream) catch up, and the cap bounds one call (256 units take about 1-2 ms).
     */
    static int repairBudget(int pending) {
        return Math.min(MAX_REPAIR_UNITS, MIN_REPAIR_UNITS + pending / 8);
    }

    /** Tombstones whose repair has not finished; for tests and diagnostics. */
    int pendingRepairs() {
        return graph == null ? 0 : graph.repairQueue.size();
    }

    /** Performs all pending repair now, as the following changes would; for tests. */
    void finishRepairs() {
        while (graph != null && !graph.repairQueue.isEmpty()) {
            repairer.repair(Integer.MAX_VALUE);
            repairer.reconnectCutOff();
        }
        if (graph != null) {
            graph.writeHeader(config);
        }
    }
}
