package io.flinkhnsw.hnsw;

import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;
import io.flinkhnsw.vector.VectorKernels;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The in-memory layout of one HNSW graph, built for search speed: all vectors in one flat float
 * array, each zero-padded to the kernels' width so batch distances need no scalar tail; layer-0
 * links in one flat int array with a fixed stride of 2M+1 per node (count, then links);
 * upper-layer links in a small int array per node that has any. Every mutation is written
 * through to the {@link GraphStore}, so the store always holds what this object holds.
 *
 * <p>A slot is free (level -1), live, or a tombstone (deleted but still linked, waiting in
 * {@link #repairQueue} for {@link GraphRepairer}). Node ids are dense; freed slots are reused lowest
 * first. Beside the links the graph keeps derived indexes, rebuilt on load and never stored: the
 * reverse links ({@link InLinks}), the live nodes by level (for a new entry point), and the repair
 * queue in deletion order (each tombstone is stored with its deletion sequence number).
 */
final class HnswGraph {
    static final int FREE = -1;
    private static final VectorKernels KERNELS = Kernels.best();

    final int dim;
    /** {@link #dim} rounded up to the kernels' width: the stride of {@link #vectors}. */
    final int paddedDim;
    final int m;
    final int maxConn0;
    final int stride0;
    final int strideUpper;
    final boolean l2;
    private final GraphStore store;

    float[] vectors;
    int[] levels;
    int[] layer0;
    int[][] upper;
    String[] ids;
    boolean[] tombstone;
    /** Who links to each node, per layer. */
    final InLinks inLinks;
    final LiveLevels liveLevels = new LiveLevels();
    /** Tombstones in deletion order, waiting for repair. */
    final TombstoneQueue repairQueue = new TombstoneQueue();
    private final BitSet freeSlots = new BitSet();
    /** Live nodes whose layer-0 in-degree fell to 0 since {@link #takeOrphans} was last called. */
    private int[] orphans = new int[8];
    private int orphanCount;

    int highWater;
    int entryPoint = GraphHeader.NO_ENTRY;
    int maxLevel = -1;
    int liveCount;
    int tombstoneCount;
    long insertSequence;
    long deleteSequence;

    HnswGraph(int dim, int m, Metric metric, GraphStore store, int initialCapacity) {
        assert dim > 0 && m >= 2;
        this.dim = dim;
        this.paddedDim = paddedDimension(dim);
        this.m = m;
        this.maxConn0 = 2 * m;
        this.stride0 = maxConn0 + 1;
        this.strideUpper = m + 1;
        this.l2 = metric == Metric.L2;
        this.store = store;
        int capacity = (int) Math.min(Math.max(16, initialCapacity), maxCapacity(dim, m));
        vectors = new float[capacity * paddedDim];
        levels = new int[capacity];
        Arrays.fill(levels, FREE);
        layer0 = new int[capacity * stride0];
        upper = new int[capacity][];
        ids = new String[capacity];
        tombstone = new boolean[capacity];
        inLinks = new InLinks(capacity);
    }

    int capacity() {
        return levels.length;
    }

    /** The most nodes a graph of this shape can hold: its largest arrays stay within Java's array limit. */
    static long maxCapacity(int dim, int m) {
        return (Integer.MAX_VALUE - 16L) / Math.max(paddedDimension(dim), 2L * m + 1);
    }

    /** {@code dim} rounded up to the kernels' width: the stride of {@link #vectors}. */
    static int paddedDimension(int dim) {
        int width = KERNELS.packedWidth();
        return (dim + width - 1) / width * width;
    }

    int maxConnections(int layer) {
        return layer == 0 ? maxConn0 : m;
    }

    // ---- distances -------------------------------------------------------------------------

    /** Distance from a prepared query ({@link #prepareQuery}) to {@code node}. */
    float distance(float[] query, int node) {
        return l2 ? KERNELS.squaredL2(query, 0, vectors, node * paddedDim, paddedDim)
                : 1f - KERNELS.dot(query, 0, vectors, node * paddedDim, paddedDim);
    }

    /**
     * Distances from a prepared query to the nodes whose {@link #vectorOffset}s are
     * {@code offsets[0..n)}, into {@code out}: several vectors at once, so their cache misses overlap.
     */
    void distances(float[] query, int[] offsets, int n, float[] out) {
        if (l2) {
            KERNELS.squaredL2Batch(query, vectors, offsets, n, paddedDim, out);
        } else {
            KERNELS.dotBatch(query, vectors, offsets, n, paddedDim, out);
            for (int j = 0; j < n; j++) {
                out[j] = 1f - out[j];
            }
        }
    }

    int vectorOffset(int node) {
        return node * paddedDim;
    }

    float distanceBetween(int a, int b) {
        return l2 ? KERNELS.squaredL2(vectors, a * paddedDim, vectors, b * paddedDim, paddedDim)
                : 1f - KERNELS.dot(vectors, a * paddedDim, vectors, b * paddedDim, paddedDim);
    }

    /** A zeroed query array: {@link #paddedDim} floats. */
    float[] newQuery() {
        return new float[paddedDim];
    }

    /**
     * Writes {@code vector[0..dim)}, each component times {@code scale} rounded to float, into
     * {@code query}; the padding stays zero. A scale of 1 copies exactly.
     */
    void prepareQuery(float[] vector, double scale, float[] query) {
        for (int i = 0; i < dim; i++) {
            query[i] = (float) (vector[i] * scale);
        }
    }

    /** Copies {@code node}'s stored vector, padding included, into {@code query}. */
    void copyVector(int node, float[] query) {
        System.arraycopy(vectors, node * paddedDim, query, 0, paddedDim);
    }

    /** True when {@code node}'s stored vector has exactly the bits of {@code vector}. */
    boolean hasVector(int node, float[] vector) {
        int offset = node * paddedDim;
        for (int i = 0; i < dim; i++) {
            if (Float.floatToIntBits(vectors[offset + i]) != Float.floatToIntBits(vector[i])) {
                return false;
            }
        }
        return true;
    }

    // ---- links -----------------------------------------------------------------------------

    /** The array holding {@code node}'s links on {@code layer}; see {@link #linkBase}. */
    int[] linkArray(int node, int layer) {
        return layer == 0 ? layer0 : upper[node];
    }

    /** Index of the count in {@link #linkArray}; the links follow it. */
    int linkBase(int node, int layer) {
        return layer == 0 ? node * stride0 : (layer - 1) * strideUpper;
    }

    int linkCount(int node, int layer) {
        return linkArray(node, layer)[linkBase(node, layer)];
    }

    /** Replaces {@code node}'s links on {@code layer} with {@code links[0..count)}. */
    void setLinks(int node, int layer, int[] links, int count) {
        assert count <= maxConnections(layer) && layer <= levels[node];
        int[] array = linkArray(node, layer);
        int base = linkBase(node, layer);
        int old = array[base];
        for (int i = 0; i < count; i++) {
            if (!contains(array, base + 1, old, links[i])) {
                inLinks.add(links[i], layer, node);
            }
        }
        for (int i = 1; i <= old; i++) {
            if (!contains(links, 0, count, array[base + i])) {
                lostInLink(array[base + i], layer, node);
            }
        }
        array[base] = count;
        System.arraycopy(links, 0, array, base + 1, count);
        store.writeLinks(node, layer, array, base + 1, count);
    }

    /** Appends {@code target} to {@code node}'s links on {@code layer}, which must have room. */
    void appendLink(int node, int layer, int target) {
        int[] array = linkArray(node, layer);
        int base = linkBase(node, layer);
        int count = array[base];
        assert count < maxConnections(layer);
        array[base + 1 + count] = target;
        array[base] = count + 1;
        inLinks.add(target, layer, node);
        store.writeLinks(node, layer, array, base + 1, count + 1);
    }

    private static boolean contains(int[] array, int from, int count, int value) {
        for (int i = from, end = from + count; i < end; i++) {
            if (array[i] == value) {
                return true;
            }
        }
        return false;
    }

    // ---- nodes -----------------------------------------------------------------------------

    boolean isLive(int node) {
        return node >= 0 && node < highWater && levels[node] != FREE && !tombstone[node];
    }

    /** Takes the lowest free slot and stores the node's id, level and (already prepared) vector. */
    int addNode(String id, int level, float[] vector) {
        int node = freeSlots.nextSetBit(0);
        if (node < 0) {
            node = highWater++;
            ensureCapacity(highWater);
        } else {
            freeSlots.clear(node);
        }
        System.arraycopy(vector, 0, vectors, node * paddedDim, dim);
        levels[node] = level;
        ids[node] = id;
        tombstone[node] = false;
        layer0[node * stride0] = 0;
        upper[node] = level > 0 ? new int[level * strideUpper] : null;
        inLinks.addNode(node, level);
        liveLevels.add(node, level);
        liveCount++;
        store.writeNode(node, id, level, vector);
        return node;
    }

    /** {@code source} stopped linking to {@code node} on {@code layer}. */
    private void lostInLink(int node, int layer, int source) {
        inLinks.remove(node, layer, source);
        if (layer == 0 && inLinks.count(node, 0) == 0 && isLive(node)) {
            noteOrphan(node);
        }
    }

    /** Records a live node that nothing links to on layer 0, for the caller to link back in. */
    void noteOrphan(int node) {
        if (orphanCount == orphans.length) {
            orphans = Arrays.copyOf(orphans, orphanCount * 2);
        }
        orphans[orphanCount++] = node;
    }

    /** The orphans noted since the last call, in the order they arose; clears the list. */
    int[] takeOrphans() {
        int[] taken = Arrays.copyOf(orphans, orphanCount);
        orphanCount = 0;
        return taken;
    }

    /**
     * Deletes {@code node}: it stays linked (search walks through it but never returns it) and joins
     * the repair queue. A deleted entry point is replaced at once by the lowest live node of the
     * highest level.
     */
    void markTombstone(int node) {
        assert isLive(node);
        tombstone[node] = true;
        liveCount--;
        tombstoneCount++;
        liveLevels.remove(node, levels[node]);
        long sequence = deleteSequence++;
        repairQueue.add(node, sequence);
        store.writeTombstone(node, sequence);
        if (node == entryPoint) {
            int next = liveLevels.highest();
            setEntryPoint(next, next == GraphHeader.NO_ENTRY ? -1 : levels[next]);
        }
    }

    /** Frees a tombstone's slot; nothing may link to it any more. */
    void removeNode(int node) {
        assert tombstone[node];
        int level = levels[node];
        for (int layer = 0; layer <= level; layer++) {
            assert inLinks.count(node, layer) == 0;
            int[] array = linkArray(node, layer);
            int base = linkBase(node, layer);
            for (int i = 1, count = array[base]; i <= count; i++) {
                lostInLink(array[base + i], layer, node);
            }
        }
        inLinks.removeNode(node);
        levels[node] = FREE;
        ids[node] = null;
        tombstone[node] = false;
        upper[node] = null;
        layer0[node * stride0] = 0;
        freeSlots.set(node);
        tombstoneCount--;
        store.removeNode(node, level);
    }

    void setEntryPoint(int node, int level) {
        entryPoint = node;
        maxLevel = level;
    }

    GraphHeader header(HnswConfig config) {
        return new GraphHeader(config, dim, entryPoint, maxLevel, highWater, liveCount, tombstoneCount,
                insertSequence, deleteSequence);
    }

    void writeHeader(HnswConfig config) {
        store.writeHeader(header(config));
    }

    // ---- loading ---------------------------------------------------------------------------

    /**
     * Restores one stored node without writing anything back; {@code deletedAt} is its deletion
     * sequence, or {@link GraphStore#NOT_DELETED}.
     */
    void restoreNode(int node, String id, int level, float[] vector, int[][] links, long deletedAt) {
        ensureCapacity(node + 1);
        System.arraycopy(vector, 0, vectors, node * paddedDim, dim);
        levels[node] = level;
        ids[node] = id;
        tombstone[node] = deletedAt != GraphStore.NOT_DELETED;
        if (tombstone[node]) {
            restoredDeletions = appendDeletion(restoredDeletions, restoredDeletionCount++, deletedAt, node);
        }
        upper[node] = level > 0 ? new int[level * strideUpper] : null;
        for (int layer = 0; layer <= level; layer++) {
            int[] src = layer < links.length && links[layer] != null ? links[layer] : new int[0];
            int[] array = linkArray(node, layer);
            int base = linkBase(node, layer);
            array[base] = src.length;
            System.arraycopy(src, 0, array, base + 1, src.length);
        }
    }

    /** (deletion sequence, node) pairs of the restored tombstones, collected until {@link #restoreCounters}. */
    private long[][] restoredDeletions = new long[0][];
    private int restoredDeletionCount;

    private static long[][] appendDeletion(long[][] pairs, int n, long sequence, int node) {
        long[][] out = n == pairs.length ? Arrays.copyOf(pairs, Math.max(16, n * 2)) : pairs;
        out[n] = new long[] {sequence, node};
        return out;
    }

    /**
     * After all nodes are restored: counters from the header, free slots from the gaps, and the
     * derived indexes (reverse links, live levels, repair queue in deletion order) from the nodes.
     */
    void restoreCounters(GraphHeader header) {
        highWater = header.highWater();
        ensureCapacity(highWater);
        entryPoint = header.entryPoint();
        maxLevel = header.maxLevel();
        insertSequence = header.insertSequence();
        deleteSequence = header.deleteSequence();
        liveCount = 0;
        tombstoneCount = 0;
        freeSlots.clear();
        for (int node = 0; node < highWater; node++) {
            if (levels[node] == FREE) {
                freeSlots.set(node);
                continue;
            }
            if (tombstone[node]) {
                tombstoneCount++;
            } else {
                liveCount++;
                liveLevels.add(node, levels[node]);
            }
        }
        inLinks.rebuild(this);
        long[][] deletions = Arrays.copyOf(restoredDeletions, restoredDeletionCount);
        Arrays.sort(deletions, (a, b) -> Long.compare(a[0], b[0]));
        repairQueue.clear();
        for (long[] d : deletions) {
            repairQueue.add((int) d[1], d[0]);
        }
        restoredDeletions = new long[0][];
        restoredDeletionCount = 0;
    }

    /** Bytes of the derived indexes this class keeps beside the graph (reverse links, live levels, repair queue). */
    long derivedRamBytesUsed() {
        return inLinks.ramBytesUsed() + liveLevels.ramBytesUsed() + repairQueue.ramBytesUsed();
    }

    private void ensureCapacity(int needed) {
        int capacity = levels.length;
        if (needed <= capacity) {
            return;
        }
        long max = maxCapacity(dim, m);
        if (needed > max) {
            throw new InvalidVectorException("a graph of dimension " + dim + " and M " + m + " holds at most " + max
                    + " nodes");
        }
        // in longs: capacity * paddedDim overflows an int long before the array limit is reached
        int grown = (int) Math.min(max, Math.max(needed, capacity + (capacity >> 1)));
        vectors = Arrays.copyOf(vectors, grown * paddedDim);
        levels = Arrays.copyOf(levels, grown);
        Arrays.fill(levels, capacity, grown, FREE);
        layer0 = Arrays.copyOf(layer0, grown * stride0);
        upper = Arrays.copyOf(upper, grown);
        ids = Arrays.copyOf(ids, grown);
        tombstone = Arrays.copyOf(tombstone, grown);
        inLinks.ensureCapacity(grown);
    }
}
