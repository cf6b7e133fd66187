package io.flinkhnsw.hnsw;

import java.util.Arrays;

/**
 * The reverse of a graph's links: for every node and layer, the nodes whose link list on that layer
 * contains it. Derived data, kept exact by {@link HnswGraph} wherever links change and rebuilt from
 * the links on load, never stored. Most links are mutual (85 % on layer 0 of glove-tune), and a
 * mutual in-link of a node is already in the node's own list, so only one-way in-links are stored:
 * {@code s} is kept for {@code x} on a layer exactly when {@code s} links to {@code x} and
 * {@code x} does not link to {@code s}. The in-links of {@code x} are then its stored one-way
 * in-links plus those of its own links that link back, found by scanning their lists (at most
 * 2M entries each). Stored lists live in one pooled int array, in blocks sized on a scale of four
 * steps per doubling (4, 5, 6, 7, 8, 10, 12, ...); a block moves one step up when full and down to
 * about half its size when a quarter full, and freed blocks go to a free list per size. A block's
 * first int holds its list's count and size class; a list is found by its block's offset, kept in
 * one int array by node for layer 0 and beside the node's own links for upper layers
 * ({@link HnswGraph#upperInLinkSlot}). So the index costs two large arrays, not an object per
 * node, and its size in bytes is known at all times ({@link #ramBytesUsed}). Order within a stored
 * list is arbitrary: every answer given outside is a function of the graph's links alone.
 */
final class InLinks {
    private static final int EMPTY = -1;
    /** Size classes per doubling: blocks of 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, ... ints. */
    private static final int CLASSES_PER_OCTAVE = 4;
    /** Enough classes for 2^24 entries, the most a block header's count field holds. */
    private static final int MAX_CLASSES = CLASSES_PER_OCTAVE * 23;

    private final HnswGraph graph;
    /** Offset of each node's layer-0 block in {@link #pool}, or {@link #EMPTY}. */
    private int[] head0;
    private int[] pool = new int[1024];
    private int poolTop;
    private final int[] freeBlocks = new int[MAX_CLASSES];
    /** The tombstone list {@link #firstMutualOfTombstone} last scanned, its count then, and where to resume. */
    private int scanNode = -1;
    private int scanLayer;
    private int scanCount;
    private int scanFrom;

    InLinks(HnswGraph graph, int capacity) {
        this.graph = graph;
        head0 = new int[capacity];
        Arrays.fill(head0, EMPTY);
        Arrays.fill(freeBlocks, EMPTY);
    }

    /** Gives {@code node} empty lists on layers 0..level. */
    void addNode(int node, int level) {
        ensureCapacity(node + 1);
        if (node == scanNode) {
            scanNode = -1;
        }
        for (int layer = 0; layer <= level; layer++) {
            setHead(node, layer, EMPTY);
        }
    }

    /** {@code source}'s list on {@code layer} now contains {@code target}, which it did not before. */
    void linkAdded(int source, int target, int layer) {
        if (graph.hasLink(target, layer, source)) {
            remove(source, layer, target); // target -> source was one-way until now
        } else {
            add(target, layer, source);
        }
    }

    /** {@code source}'s list on {@code layer} no longer contains {@code target}. */
    void linkRemoved(int source, int target, int layer) {
        if (graph.hasLink(target, layer, source)) {
            add(source, layer, target); // target -> source is one-way from now on
        } else {
            remove(target, layer, source);
        }
    }

    /** Whether anything links to {@code node} on {@code layer}; usually answered by its first link. */
    boolean isLinkedTo(int node, int layer) {
        return head(node, layer) != EMPTY || firstMutual(node, layer) >= 0;
    }

    /**
     * The in-link of {@code node} on {@code layer} that repair handles next: the first of its links
     * (in list order) that links back, else the lowest one-way in-link; -1 when there is none. A
     * function of the links alone, so a reloaded graph picks the same one.
     */
    int next(int node, int layer) {
        assert graph.tombstone[node];
        int mutual = firstMutualOfTombstone(node, layer);
        if (mutual >= 0) {
            return mutual;
        }
        int block = head(node, layer);
        if (block == EMPTY) {
            return -1;
        }
        int min = Integer.MAX_VALUE;
        for (int i = block + 1, end = block + 1 + count(pool[block]); i < end; i++) {
            min = Math.min(min, pool[i]);
        }
        return min;
    }

    /** The nodes linking to {@code node} on {@code layer}: its stored one-way in-links, then its links that link back. */
    int[] sources(int node, int layer) {
        int block = head(node, layer);
        int stored = block == EMPTY ? 0 : count(pool[block]);
        int[] array = graph.linkArray(node, layer);
        int base = graph.linkBase(node, layer);
        int[] out = new int[stored + array[base]];
        if (stored > 0) {
            System.arraycopy(pool, block + 1, out, 0, stored);
        }
        int n = stored;
        for (int i = base + 1, end = base + 1 + array[base]; i < end; i++) {
            if (graph.hasLink(array[i], layer, node)) {
                out[n++] = array[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private int firstMutual(int node, int layer) {
        return linkAt(node, layer, mutualPosition(node, layer, 0));
    }

    /**
     * {@link #firstMutual} for a tombstone, resuming where the last scan of the same list stopped.
     * Nothing gains a link to a tombstone, so a link found not to link back never will; repair
     * removes the in-links of one tombstone after another, which made rescanning from the start
     * quadratic in the list's length. The scan restarts whenever the list is another one or its
     * count changed, and {@link #addNode} forgets a reused slot, so the answer is the plain scan's.
     */
    private int firstMutualOfTombstone(int node, int layer) {
        int count = graph.linkCount(node, layer);
        int from = node == scanNode && layer == scanLayer && count == scanCount ? scanFrom : 0;
        int position = mutualPosition(node, layer, from);
        scanNode = node;
        scanLayer = layer;
        scanCount = count;
        scanFrom = position < 0 ? count : position;
        int mutual = linkAt(node, layer, position);
        assert mutual == firstMutual(node, layer);
        return mutual;
    }

    /** Position in {@code node}'s list, from {@code from} on, of the first link that links back; -1 when none does. */
    private int mutualPosition(int node, int layer, int from) {
        int[] array = graph.linkArray(node, layer);
        int base = graph.linkBase(node, layer);
        for (int i = from, count = array[base]; i < count; i++) {
            if (graph.hasLink(array[base + 1 + i], layer, node)) {
                return i;
            }
        }
        return -1;
    }

    private int linkAt(int node, int layer, int position) {
        return position < 0 ? -1 : graph.linkArray(node, layer)[graph.linkBase(node, layer) + 1 + position];
    }

    /**
     * Replaces everything with the one-way links of the graph. Layer 0 goes through every in-link
     * grouped by target (a transient array of all layer-0 links): for each node, its own links are
     * stamped and its in-links without a stamp are the one-way ones, so no list is searched.
     * Upper layers, about one link a node, check each link against its target's list. Every list
     * then gets one block of the size it needs: no block grows while loading.
     */
    void rebuild() {
        scanNode = -1;
        HnswGraph g = graph;
        int nodes = g.highWater;
        ensureCapacity(nodes);
        Arrays.fill(head0, EMPTY);
        Arrays.fill(freeBlocks, EMPTY);
        byte[] levels = g.levels;
        int[] layer0 = g.layer0;
        int stride = g.stride0;
        // plain loops: a rebuild runs once, often before the JIT has compiled it
        int[] start = new int[nodes + 1];
        for (int node = 0; node < nodes; node++) {
            start[node + 1] = start[node] + g.inDegree0[node]; // layer-0 in-links grouped by target
        }
        int[] sources = new int[start[nodes]];
        int[] scratch = Arrays.copyOf(start, nodes); // fill positions, then stamps
        for (int node = 0; node < nodes; node++) {
            for (int i = node * stride + 1, end = i + layer0[node * stride]; i < end; i++) {
                sources[scratch[layer0[i]]++] = node;
            }
        }
        Arrays.fill(scratch, -1);
        int[] count0 = new int[nodes];
        for (int node = 0; node < nodes; node++) {
            for (int i = node * stride + 1, end = i + layer0[node * stride]; i < end; i++) {
                scratch[layer0[i]] = node;
            }
            for (int j = start[node]; j < start[node + 1]; j++) {
                if (scratch[sources[j]] == node) {
                    sources[j] = EMPTY; // mutual: found through the node's own list
                } else {
                    count0[node]++;
                }
            }
        }
        for (int node = 0; node < nodes; node++) {
            for (int layer = 1; layer <= levels[node]; layer++) {
                g.upper[node][g.upperInLinkSlot(layer)] = 0; // counts until the blocks are placed
            }
        }
        forEachUpperOneWayLink((source, target, layer) -> g.upper[target][g.upperInLinkSlot(layer)]++);
        long poolSize = 0;
        for (int node = 0; node < nodes; node++) {
            poolSize += blockSize(count0[node]);
            for (int layer = 1; layer <= levels[node]; layer++) {
                poolSize += blockSize(g.upper[node][g.upperInLinkSlot(layer)]);
            }
        }
        if (poolSize > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("reverse links of " + nodes + " nodes need " + poolSize + " ints");
        }
        pool = new int[(int) Math.max(1024, poolSize)];
        poolTop = 0;
        for (int node = 0; node < nodes; node++) {
            int block = place(count0[node]);
            head0[node] = block;
            for (int j = start[node], n = 0; j < start[node + 1]; j++) {
                if (sources[j] != EMPTY) {
                    pool[block + 1 + n++] = sources[j];
                }
            }
            if (block != EMPTY) {
                pool[block] = header(count0[node], sizeClass(pool[block]));
            }
            for (int layer = 1; layer <= levels[node]; layer++) {
                int slot = g.upperInLinkSlot(layer);
                g.upper[node][slot] = place(g.upper[node][slot]);
            }
        }
        forEachUpperOneWayLink((source, target, layer) -> {
            int block = head(target, layer);
            int header = pool[block];
            pool[block + 1 + count(header)] = source;
            pool[block] = header + (1 << 8); // one more entry: count is bits 8..31
        });
    }

    private interface LinkVisitor {
        void link(int source, int target, int layer);
    }

    private void forEachUpperOneWayLink(LinkVisitor visitor) {
        HnswGraph g = graph;
        byte[] levels = g.levels;
        for (int node = 0, nodes = g.highWater; node < nodes; node++) {
            for (int layer = 1; layer <= levels[node]; layer++) {
                int[] array = g.upper[node];
                int base = g.linkBase(node, layer);
                for (int i = base + 1, end = base + 1 + array[base]; i < end; i++) {
                    if (!g.hasLink(array[i], layer, node)) {
                        visitor.link(node, array[i], layer);
                    }
                }
            }
        }
    }

    /** The smallest size class whose blocks hold {@code ints} ints. */
    static int sizeClassFor(long ints) {
        if (ints <= 4) {
            return 0;
        }
        int octave = 63 - Long.numberOfLeadingZeros(ints - 1); // 2^octave < ints <= 2^(octave+1)
        long steps = (ints + (1L << (octave - 2)) - 1) >> (octave - 2); // 5..8 quarters of 2^octave
        return (int) (CLASSES_PER_OCTAVE * (octave - 2) + steps - 4);
    }

    /** Ints in a block of {@code sizeClass}: its header and {@code classSize - 1} entries. */
    static int classSize(int sizeClass) {
        return (4 + (sizeClass & (CLASSES_PER_OCTAVE - 1))) << (sizeClass / CLASSES_PER_OCTAVE);
    }

    /** Ints of the block a list of {@code count} entries is given. */
    private static long blockSize(int count) {
        return count == 0 ? 0 : classSize(sizeClassFor(count + 1L));
    }

    /** Reserves a block for a list of {@code count} entries, still empty (0 entries); returns its offset. */
    private int place(int count) {
        if (count == 0) {
            return EMPTY;
        }
        int sizeClass = sizeClassFor(count + 1L);
        int block = poolTop;
        pool[block] = header(0, sizeClass);
        poolTop += classSize(sizeClass);
        return block;
    }

    /** Stores {@code source} as a one-way in-link of {@code target} on {@code layer}. */
    private void add(int target, int layer, int source) {
        int block = head(target, layer);
        int count;
        int sizeClass;
        if (block == EMPTY) {
            sizeClass = 0;
            block = allocate(sizeClass);
            count = 0;
        } else {
            count = count(pool[block]);
            sizeClass = sizeClass(pool[block]);
            if (count + 1 == classSize(sizeClass)) {
                int grown = allocate(sizeClass + 1);
                System.arraycopy(pool, block + 1, pool, grown + 1, count);
                release(block, sizeClass);
                block = grown;
                sizeClass++;
            }
        }
        pool[block + 1 + count] = source;
        pool[block] = header(count + 1, sizeClass);
        setHead(target, layer, block);
    }

    /** Forgets the stored one-way in-link {@code source} of {@code target} on {@code layer}. */
    private void remove(int target, int layer, int source) {
        int block = head(target, layer);
        assert block != EMPTY : "no one-way in-links of " + target + " on layer " + layer;
        int count = count(pool[block]);
        int sizeClass = sizeClass(pool[block]);
        int i = block + 1;
        while (pool[i] != source) {
            i++;
            assert i < block + 1 + count : source + " does not link to " + target + " on layer " + layer;
        }
        pool[i] = pool[block + count--];
        if (count == 0) {
            release(block, sizeClass);
            setHead(target, layer, EMPTY);
            return;
        }
        if (sizeClass > 0 && count + 1 <= classSize(sizeClass) / 4) {
            int half = sizeClassFor(2L * (count + 1));
            int shrunk = allocate(half);
            System.arraycopy(pool, block + 1, pool, shrunk + 1, count);
            release(block, sizeClass);
            block = shrunk;
            sizeClass = half;
            setHead(target, layer, block);
        }
        pool[block] = header(count, sizeClass);
    }

    /** Bytes held: the pool and the layer-0 offsets (the upper-layer ones are the graph's). O(1). */
    long ramBytesUsed() {
        return RamUsage.ints(pool.length) + RamUsage.ints(head0.length);
    }

    void ensureCapacity(int needed) {
        int capacity = head0.length;
        if (needed <= capacity) {
            return;
        }
        int grown = Math.max(needed, capacity + (capacity >> 1));
        head0 = Arrays.copyOf(head0, grown);
        Arrays.fill(head0, capacity, grown, EMPTY);
    }

    private int head(int node, int layer) {
        return layer == 0 ? head0[node] : graph.upper[node][graph.upperInLinkSlot(layer)];
    }

    private void setHead(int node, int layer, int block) {
        if (layer == 0) {
            head0[node] = block;
        } else {
            graph.upper[node][graph.upperInLinkSlot(layer)] = block;
        }
    }

    private int allocate(int sizeClass) {
        int block = freeBlocks[sizeClass];
        if (block != EMPTY) {
            freeBlocks[sizeClass] = pool[block];
            return block;
        }
        int size = classSize(sizeClass);
        if (poolTop + size > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(poolTop + size, pool.length + (pool.length >> 3)));
        }
        block = poolTop;
        poolTop += size;
        return block;
    }

    private void release(int block, int sizeClass) {
        pool[block] = freeBlocks[sizeClass];
        freeBlocks[sizeClass] = block;
    }

    private static int header(int count, int sizeClass) {
        assert count < 1 << 24 && sizeClass < MAX_CLASSES;
        return (count << 8) | sizeClass;
    }

    private static int count(int header) {
        return header >>> 8;
    }

    private static int sizeClass(int header) {
        return header & 0xFF;
    }
}
