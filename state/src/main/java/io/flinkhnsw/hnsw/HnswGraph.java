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
 * {@link #repairQueue} for {@link GraphRepairer}). Node ids are dense; a new node takes the free
 * slot nearest to its nearest neighbour's, so neighbours stay near each other in memory. Beside the
 * links the graph keeps derived indexes, rebuilt on load and never stored: the
 * layer-0 in-degrees (for the checks for cut-off nodes), the live nodes by level (for a new entry point), the repair
 * queue in deletion order (each tombstone is stored with its deletion sequence number), and the
 * reverse links ({@link InLinks}), which a loaded graph builds only when repair first needs them.
 *
 * <p>A graph configured with {@link Quantization#INT8} is a float graph until it holds
 * {@link #TRAINING_NODES} nodes; then it learns its {@link ScalarQuantizer} from them, moves the
 * full-precision vectors off the heap ({@link OffHeapVectors}) and from then on keeps one byte per
 * dimension on the heap ({@link #codes}) instead of {@link #vectors}: the walk scores codes,
 * callers re-rank with {@link #readVector}. Its prepared queries hold the query, its form for the
 * int8 kernels and a constant ({@link #newQuery}).
 */
final class HnswGraph implements NodeIds, IdTable.Keys {
    static final int FREE = -1;
    /** Nodes an int8 graph holds before it learns its quantizer from them. */
    static final int TRAINING_NODES = 4096;
    private static final VectorKernels KERNELS = Kernels.best();

    final int dim;
    /** {@link #dim} rounded up to the kernels' width: the stride of {@link #vectors}. */
    final int paddedDim;
    final int m;
    final int maxConn0;
    final int stride0;
    /** Ints per layer in {@link #upper}: the count, M links, and the layer's {@link InLinks} block. */
    final int strideUpper;
    final boolean l2;
    private final GraphStore store;

    /** Vectors as floats; null once an int8 graph has learned its quantizer. */
    float[] vectors;
    /**
     * Int8 codes, {@link #dim} bytes per slot (unpadded) and {@code paddedDim - dim} bytes after the
     * last slot; null until an int8 graph has learned its quantizer. The kernels read {@link #paddedDim}
     * codes from a slot's offset: the ones past {@code dim} belong to the next slot and meet zero
     * steps and query entries, so they add exactly nothing.
     */
    byte[] codes;
    ScalarQuantizer quantizer;
    /** The full-precision vectors of an int8 graph once it has learned its quantizer; null before and without quantization. */
    OffHeapVectors exact;
    final boolean int8;
    /** A node's own vector prepared as a query, for {@link #distanceBetween}; {@link #pairNode} says whose. */
    private final float[] pairQuery;
    private int pairNode = -1;
    private final float[] exactScratch;
    /** Top layer of each slot, or {@link #FREE}; a byte holds any level up to {@link LevelGenerator#MAX_LEVEL}. */
    byte[] levels;
    int[] layer0;
    int[][] upper;
    /** Each occupied slot's id, as {@link IdBytes} encodes it. */
    byte[][] ids;
    boolean[] tombstone;
    /**
     * Who links to each node, per layer: kept from the start by a new graph, built at the first
     * need (repair) by a loaded one, which may never delete anything ({@link #inLinks()}); null until then.
     */
    private InLinks inLinks;
    /** How many nodes link to each node on layer 0, tombstones included: what the checks for cut-off nodes need. */
    int[] inDegree0;
    final LiveLevels liveLevels = new LiveLevels();
    /** Tombstones in deletion order, waiting for repair. */
    final TombstoneQueue repairQueue = new TombstoneQueue();
    private final BitSet freeSlots = new BitSet();
    /**
     * A live node whose layer-0 in-degree falls to this or below is checked for being cut off: with
     * no in-link, or linked to only by a few nodes that nothing else reaches (GraphRepairer#reconnectCutOff).
     */
    static final int WEAK_IN_DEGREE = 2;
    /** Live nodes whose layer-0 in-degree fell to {@link #WEAK_IN_DEGREE} or below since {@link #takeWeaklyLinked}. */
    private int[] weaklyLinked = new int[8];
    /** A list as it was before {@link #setLinks} replaced it. */
    private final int[] previousLinks;
    private int weaklyLinkedCount;

    int highWater;
    int entryPoint = GraphHeader.NO_ENTRY;
    int maxLevel = -1;
    int liveCount;
    int tombstoneCount;
    long insertSequence;
    long deleteSequence;

    /**
     * An empty graph; {@code trained} is the quantizer an int8 graph learned before it was stored
     * (null for a new graph or one without quantization).
     */
    HnswGraph(int dim, int m, Metric metric, Quantization quantization, ScalarQuantizer trained, GraphStore store,
              int initialCapacity) {
        assert dim > 0 && m >= 2;
        assert trained == null || quantization == Quantization.INT8;
        this.dim = dim;
        this.paddedDim = paddedDimension(dim);
        this.m = m;
        this.maxConn0 = 2 * m;
        this.stride0 = maxConn0 + 1;
        this.strideUpper = m + 2;
        this.l2 = metric == Metric.L2;
        this.store = store;
        int capacity = (int) Math.min(Math.max(16, initialCapacity), maxCapacity(dim, m));
        this.int8 = quantization == Quantization.INT8;
        this.pairQuery = newQuery();
        this.exactScratch = new float[dim];
        this.previousLinks = new int[maxConn0];
        if (trained != null) {
            quantizer = trained;
            codes = new byte[codesLength(capacity)];
            exact = new OffHeapVectors(dim);
        } else {
            vectors = new float[capacity * paddedDim];
        }
        levels = new byte[capacity];
        Arrays.fill(levels, (byte) FREE);
        layer0 = new int[capacity * stride0];
        upper = new int[capacity][];
        ids = new byte[capacity][];
        tombstone = new boolean[capacity];
        inLinks = new InLinks(this, capacity);
        inDegree0 = new int[capacity];
    }

    /** The reverse links, built from the links first if this graph was loaded and has not needed them yet. */
    InLinks inLinks() {
        if (inLinks == null) {
            inLinks = new InLinks(this, capacity());
            inLinks.rebuild();
        }
        return inLinks;
    }

    /** Whether anything links to {@code node} on layer 0. */
    boolean hasInLink0(int node) {
        return inDegree0[node] > 0;
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

    /** Distance from a prepared query ({@link #prepareQuery}) to {@code node}, on codes once the graph has them. */
    float distance(float[] query, int node) {
        if (codes != null) {
            return l2 ? KERNELS.squaredL2Int8(query, paddedDim, quantizer.negStep, codes, node * dim, paddedDim)
                    : 1f - query[2 * paddedDim] - KERNELS.dotInt8(query, paddedDim, codes, node * dim, paddedDim);
        }
        return l2 ? KERNELS.squaredL2(query, 0, vectors, node * paddedDim, paddedDim)
                : 1f - KERNELS.dot(query, 0, vectors, node * paddedDim, paddedDim);
    }

    /** The full-precision distance from a prepared query to {@code vector}, {@link #dim} floats padded to {@link #paddedDim}. */
    float exactDistance(float[] query, float[] vector) {
        return l2 ? KERNELS.squaredL2(query, 0, vector, 0, paddedDim) : 1f - KERNELS.dot(query, 0, vector, 0, paddedDim);
    }

    /**
     * Distances from a prepared query to the nodes whose {@link #vectorOffset}s are
     * {@code offsets[0..n)}, into {@code out}: several vectors at once, so their cache misses overlap.
     */
    void distances(float[] query, int[] offsets, int n, float[] out) {
        if (codes != null) {
            if (l2) {
                KERNELS.squaredL2Int8Batch(query, paddedDim, quantizer.negStep, codes, offsets, n, paddedDim, out);
            } else {
                KERNELS.dotInt8Batch(query, paddedDim, codes, offsets, n, paddedDim, out);
                float one = 1f - query[2 * paddedDim];
                for (int j = 0; j < n; j++) {
                    out[j] = one - out[j];
                }
            }
        } else if (l2) {
            KERNELS.squaredL2Batch(query, vectors, offsets, n, paddedDim, out);
        } else {
            KERNELS.dotBatch(query, vectors, offsets, n, paddedDim, out);
            for (int j = 0; j < n; j++) {
                out[j] = 1f - out[j];
            }
        }
    }

    /** Where {@code node}'s vector starts in the array the walk scores: {@link #codes} or {@link #vectors}. */
    int vectorOffset(int node) {
        return codes != null ? node * dim : node * paddedDim;
    }

    /** Codes of {@code capacity} slots, and room for the last slot's padded read. */
    private int codesLength(int capacity) {
        return capacity * dim + paddedDim - dim;
    }

    /** Distance between two nodes as the walk sees them: on codes once the graph has them (then symmetric). */
    float distanceBetween(int a, int b) {
        if (codes != null) {
            if (pairNode != a) {
                quantizeCode(a, pairQuery);
                pairNode = a;
            }
            return distance(pairQuery, b);
        }
        return l2 ? KERNELS.squaredL2(vectors, a * paddedDim, vectors, b * paddedDim, paddedDim)
                : 1f - KERNELS.dot(vectors, a * paddedDim, vectors, b * paddedDim, paddedDim);
    }

    /**
     * A zeroed query array: {@link #paddedDim} floats, and for an int8 graph as many again for the
     * query's form for the int8 kernels, then one constant.
     */
    float[] newQuery() {
        return new float[int8 ? 2 * paddedDim + 1 : paddedDim];
    }

    /**
     * Writes {@code vector[0..dim)}, each component times {@code scale} rounded to float, into
     * {@code query}, and its form for the int8 kernels once the graph has codes; the padding stays
     * zero. A scale of 1 copies exactly.
     */
    void prepareQuery(float[] vector, double scale, float[] query) {
        for (int i = 0; i < dim; i++) {
            query[i] = (float) (vector[i] * scale);
        }
        if (quantizer != null) {
            quantize(query);
        }
    }

    /**
     * Fills the int8 part of a prepared query from its float part: for L2 the query minus the base
     * ({@code d = q - base - step * c}); for dot products the query times the step and, last, the
     * dot product with the base ({@code q . x = q . base + (q * step) . c}).
     */
    private void quantize(float[] query) {
        float[] base = quantizer.base;
        float[] step = quantizer.step;
        if (l2) {
            for (int i = 0; i < paddedDim; i++) {
                query[paddedDim + i] = query[i] - base[i];
            }
        } else {
            float constant = 0;
            for (int i = 0; i < paddedDim; i++) {
                query[paddedDim + i] = query[i] * step[i];
                constant += query[i] * base[i];
            }
            query[2 * paddedDim] = constant;
        }
    }

    /**
     * Prepares {@code node}'s vector as the walk sees it as a query in {@code query}, for the walk
     * only ({@link #distance}, {@link #distances}): once the graph has codes, only the int8 part is
     * filled, from the node's codes (in cache after a walk, where the full-precision copy would be a
     * miss off the heap), and the float part is left as it was.
     */
    void prepareNodeQuery(int node, float[] query) {
        if (codes != null) {
            quantizeCode(node, query);
        } else {
            System.arraycopy(vectors, node * paddedDim, query, 0, paddedDim);
        }
    }

    /**
     * The int8 part of a query ({@link #quantize}) for the decoded vector of {@code node}, in one pass
     * over its codes: for L2 {@code step * c} (the decoded value minus the base), for dot products
     * {@code x * step} and the constant {@code x . base}, where {@code x = base + step * c}.
     */
    private void quantizeCode(int node, float[] query) {
        if (l2) {
            KERNELS.scaleInt8(codes, node * dim, quantizer.step, query, paddedDim, paddedDim);
        } else {
            query[2 * paddedDim] = KERNELS.decodeDotInt8(codes, node * dim, quantizer.step, quantizer.base, query,
                    paddedDim, paddedDim);
        }
    }

    /** Copies {@code node}'s full-precision vector into {@code out[0..dim)}. */
    void readVector(int node, float[] out) {
        if (exact != null) {
            exact.read(node, out);
        } else {
            System.arraycopy(vectors, node * paddedDim, out, 0, dim);
        }
    }

    /** True when {@code node}'s stored vector has exactly the bits of {@code vector}. */
    boolean hasVector(int node, float[] vector) {
        float[] stored = exactScratch;
        readVector(node, stored);
        for (int i = 0; i < dim; i++) {
            if (Float.floatToIntBits(stored[i]) != Float.floatToIntBits(vector[i])) {
                return false;
            }
        }
        return true;
    }

    // ---- quantization ------------------------------------------------------------------------

    /** True when this int8 graph holds enough nodes to learn its quantizer and has not yet. */
    boolean readyToTrain() {
        return int8 && quantizer == null && liveCount + tombstoneCount >= TRAINING_NODES;
    }

    /**
     * Learns the quantizer from the nodes held now (live and deleted), encodes them, moves their
     * floats off the heap: from here on the walk scores codes. Runs once per graph, on
     * {@link #TRAINING_NODES} nodes, so its cost does not grow with the graph.
     */
    void train() {
        assert readyToTrain();
        int[] offsets = new int[highWater];
        int count = 0;
        for (int node = 0; node < highWater; node++) {
            if (levels[node] != FREE) {
                offsets[count++] = node * paddedDim;
            }
        }
        quantizer = ScalarQuantizer.train(vectors, offsets, count, dim, paddedDim);
        codes = new byte[codesLength(capacity())];
        exact = new OffHeapVectors(dim);
        for (int j = 0; j < count; j++) {
            int node = offsets[j] / paddedDim;
            quantizer.encode(vectors, offsets[j], codes, node * dim);
            exact.write(node, vectors, offsets[j]);
        }
        vectors = null;
        pairNode = -1;
    }

    /** Stores a new or restored node's vector: as codes or floats on the heap, and off the heap for an int8 graph. */
    private void storeVector(int node, float[] vector) {
        if (codes != null) {
            quantizer.encode(vector, 0, codes, node * dim);
        } else {
            System.arraycopy(vector, 0, vectors, node * paddedDim, dim);
        }
        if (exact != null) {
            exact.write(node, vector, 0);
        }
        if (node == pairNode) {
            pairNode = -1;
        }
    }

    /** Heap bytes of the vectors the walk scores: floats, or codes and the quantizer. */
    long vectorRamBytesUsed() {
        return codes != null ? RamUsage.bytes(codes.length) + quantizer.ramBytesUsed() : RamUsage.floats(vectors.length);
    }

    /** Direct memory held by the full-precision vectors of an int8 graph; 0 without quantization. */
    long offHeapBytesUsed() {
        return exact == null ? 0 : exact.bytesUsed();
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
        int[] previous = previousLinks;
        System.arraycopy(array, base + 1, previous, 0, old);
        // the list changes first: the reverse index reads it to tell mutual links from one-way ones
        array[base] = count;
        System.arraycopy(links, 0, array, base + 1, count);
        for (int i = 0; i < count; i++) {
            if (!contains(previous, 0, old, links[i])) {
                gainedInLink(links[i], layer, node);
            }
        }
        for (int i = 0; i < old; i++) {
            if (!contains(links, 0, count, previous[i])) {
                lostInLink(previous[i], layer, node);
            }
        }
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
        gainedInLink(target, layer, node);
        store.writeLinks(node, layer, array, base + 1, count + 1);
    }

    /** Where {@link InLinks} keeps its block offset for upper layer {@code layer} in a node's {@link #upper} array. */
    int upperInLinkSlot(int layer) {
        return layer * strideUpper - 1;
    }

    /** Whether {@code node}'s list on {@code layer} contains {@code target}. */
    boolean hasLink(int node, int layer, int target) {
        int[] array = linkArray(node, layer);
        int base = linkBase(node, layer);
        return contains(array, base + 1, array[base], target);
    }

    /** Whether {@code array[from..from+count)} holds {@code value}. */
    static boolean contains(int[] array, int from, int count, int value) {
        for (int i = from, end = from + count; i < end; i++) {
            if (array[i] == value) {
                return true;
            }
        }
        return false;
    }

    // ---- ids -------------------------------------------------------------------------------

    @Override
    public Object idToken(int node) {
        return ids[node]; // a new array for every id a slot takes
    }

    @Override
    public boolean idEquals(int node, String id) {
        return IdBytes.matches(ids[node], id);
    }

    @Override
    public String id(int node) {
        return IdBytes.decode(ids[node]);
    }

    @Override
    public int idHash(int node) {
        return IdBytes.hash(ids[node]);
    }

    // ---- nodes -----------------------------------------------------------------------------

    boolean isLive(int node) {
        return node >= 0 && node < highWater && levels[node] != FREE && !tombstone[node];
    }

    /**
     * Takes the free slot nearest to {@code near}'s (a new slot when none is free) and stores the
     * node's id, level and (already prepared) vector.
     */
    int addNode(String id, int level, float[] vector, int near) {
        int node = freeSlotNear(near);
        if (node < 0) {
            node = highWater++;
            ensureCapacity(highWater);
        } else {
            freeSlots.clear(node);
        }
        storeVector(node, vector);
        levels[node] = (byte) level;
        ids[node] = IdBytes.encode(id);
        tombstone[node] = false;
        layer0[node * stride0] = 0;
        upper[node] = level > 0 ? new int[level * strideUpper] : null;
        if (inLinks != null) {
            inLinks.addNode(node, level);
        }
        inDegree0[node] = 0;
        liveLevels.add(node, level);
        liveCount++;
        store.writeNode(node, id, level, vector);
        return node;
    }

    /** The free slot nearest to {@code slot} (the lower one of two as near), or -1 when none is free. */
    private int freeSlotNear(int slot) {
        int above = freeSlots.nextSetBit(slot);
        int below = slot == 0 ? -1 : freeSlots.previousSetBit(slot - 1);
        if (below < 0) {
            return above;
        }
        return above < 0 || slot - below <= above - slot ? below : above;
    }

    /** {@code source} now links to {@code node} on {@code layer}. */
    private void gainedInLink(int node, int layer, int source) {
        if (inLinks != null) {
            inLinks.linkAdded(source, node, layer);
        }
        if (layer == 0) {
            inDegree0[node]++;
        }
    }

    /** {@code source} stopped linking to {@code node} on {@code layer}. */
    private void lostInLink(int node, int layer, int source) {
        if (inLinks != null) {
            inLinks.linkRemoved(source, node, layer);
        }
        if (layer == 0) {
            int degree = --inDegree0[node];
            if (degree <= WEAK_IN_DEGREE && isLive(node)) {
                noteWeaklyLinked(node);
            }
        }
        assert layer > 0 || inDegree0[node] >= 0;
    }

    /** Records a live node that few or no nodes link to on layer 0, for the caller to check and link back in. */
    void noteWeaklyLinked(int node) {
        if (weaklyLinkedCount == weaklyLinked.length) {
            weaklyLinked = Arrays.copyOf(weaklyLinked, weaklyLinkedCount * 2);
        }
        weaklyLinked[weaklyLinkedCount++] = node;
    }

    /** The weakly linked nodes noted since the last call, in the order they arose; clears the list. */
    int[] takeWeaklyLinked() {
        int[] taken = Arrays.copyOf(weaklyLinked, weaklyLinkedCount);
        weaklyLinkedCount = 0;
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
            assert !inLinks().isLinkedTo(node, layer);
            int[] array = linkArray(node, layer);
            int base = linkBase(node, layer);
            int count = array[base];
            array[base] = 0;
            for (int i = 1; i <= count; i++) {
                lostInLink(array[base + i], layer, node);
            }
        }
        levels[node] = (byte) FREE;
        ids[node] = null;
        tombstone[node] = false;
        upper[node] = null;
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
                insertSequence, deleteSequence, quantizer);
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
        storeVector(node, vector);
        levels[node] = (byte) level;
        ids[node] = IdBytes.encode(id);
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
        // the reverse links wait for their first use: a loaded graph that only grows never needs them
        inLinks = null;
        Arrays.fill(inDegree0, 0);
        for (int node = 0; node < highWater; node++) {
            for (int i = node * stride0 + 1, end = i + layer0[node * stride0]; i < end; i++) {
                inDegree0[layer0[i]]++;
            }
        }
        long[][] deletions = Arrays.copyOf(restoredDeletions, restoredDeletionCount);
        Arrays.sort(deletions, (a, b) -> Long.compare(a[0], b[0]));
        repairQueue.clear();
        for (long[] d : deletions) {
            repairQueue.add((int) d[1], d[0]);
        }
        restoredDeletions = new long[0][];
        restoredDeletionCount = 0;
    }

    /** Bytes of the derived indexes this class keeps beside the graph (reverse links, layer-0 in-degrees, live levels, repair queue). */
    long derivedRamBytesUsed() {
        return (inLinks == null ? 0 : inLinks.ramBytesUsed()) + RamUsage.ints(inDegree0.length)
                + liveLevels.ramBytesUsed() + repairQueue.ramBytesUsed();
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
        if (codes != null) {
            codes = Arrays.copyOf(codes, codesLength(grown));
        } else {
            vectors = Arrays.copyOf(vectors, grown * paddedDim);
        }
        levels = Arrays.copyOf(levels, grown);
        Arrays.fill(levels, capacity, grown, (byte) FREE);
        layer0 = Arrays.copyOf(layer0, grown * stride0);
        upper = Arrays.copyOf(upper, grown);
        ids = Arrays.copyOf(ids, grown);
        tombstone = Arrays.copyOf(tombstone, grown);
        inDegree0 = Arrays.copyOf(inDegree0, grown);
        if (inLinks != null) {
            inLinks.ensureCapacity(grown);
        }
    }
}
