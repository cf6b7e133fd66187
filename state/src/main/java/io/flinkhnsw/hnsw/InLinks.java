package io.flinkhnsw.hnsw;

import java.util.Arrays;

/**
 * The reverse of a graph's links: for every node and layer, the nodes whose link list on that layer
 * contains it. Derived data, kept exact by {@link HnswGraph} wherever links change and rebuilt from
 * the links on load, never stored. Every list lives in one pooled int array, in a block whose size
 * is a power of two (4, 8, 16, ...) that doubles when full and halves when a quarter full; freed
 * blocks go to a free list per size. A list's header (offset, count, size class) is one long:
 * layer-0 headers in one array by node, upper-layer headers in a small array per node that has
 * upper layers. So the index costs a few large arrays, not an object per node, and its size in
 * bytes is known at all times ({@link #ramBytesUsed}). Order within a list is arbitrary: callers
 * that need a repeatable order sort what {@link #copy} gives them.
 */
final class InLinks {
    private static final long EMPTY = -1L;
    private static final int MIN_CLASS = 2;
    private static final int MAX_CLASSES = 31;
    private static final int NO_BLOCK = -1;
    /** Object header plus length field of an array, as a 64-bit JVM with compressed pointers lays it out. */
    private static final long ARRAY_HEADER = 16;

    private long[] head0;
    private long[][] headUpper;
    private int[] pool = new int[1024];
    private int poolTop;
    private final int[] freeBlocks = new int[MAX_CLASSES];
    private long upperHeaderBytes;

    InLinks(int capacity) {
        head0 = new long[capacity];
        Arrays.fill(head0, EMPTY);
        headUpper = new long[capacity][];
        Arrays.fill(freeBlocks, NO_BLOCK);
    }

    /** Gives {@code node} empty lists on layers 0..level. */
    void addNode(int node, int level) {
        ensureCapacity(node + 1);
        head0[node] = EMPTY;
        if (level > 0) {
            long[] heads = new long[level];
            Arrays.fill(heads, EMPTY);
            headUpper[node] = heads;
            upperHeaderBytes += arrayBytes(level, 8);
        }
    }

    /** Forgets {@code node}'s lists, which must be empty. */
    void removeNode(int node) {
        assert count(node, 0) == 0;
        head0[node] = EMPTY;
        long[] heads = headUpper[node];
        if (heads != null) {
            for (long h : heads) {
                assert h == EMPTY;
            }
            upperHeaderBytes -= arrayBytes(heads.length, 8);
            headUpper[node] = null;
        }
    }

    /** Records that {@code source} links to {@code target} on {@code layer}. */
    void add(int target, int layer, int source) {
        long h = head(target, layer);
        int count;
        int offset;
        int sizeClass;
        if (h == EMPTY) {
            sizeClass = MIN_CLASS;
            offset = allocate(sizeClass);
            count = 0;
        } else {
            offset = offset(h);
            count = count(h);
            sizeClass = sizeClass(h);
            if (count == 1 << sizeClass) {
                int grown = allocate(sizeClass + 1);
                System.arraycopy(pool, offset, pool, grown, count);
                release(offset, sizeClass);
                offset = grown;
                sizeClass++;
            }
        }
        pool[offset + count] = source;
        setHead(target, layer, pack(offset, count + 1, sizeClass));
    }

    /** Records that {@code source} no longer links to {@code target} on {@code layer}; the link must be known. */
    void remove(int target, int layer, int source) {
        long h = head(target, layer);
        assert h != EMPTY : "no in-links of " + target + " on layer " + layer;
        int offset = offset(h);
        int count = count(h);
        int sizeClass = sizeClass(h);
        int i = offset;
        while (pool[i] != source) {
            i++;
            assert i < offset + count : source + " does not link to " + target + " on layer " + layer;
        }
        pool[i] = pool[offset + --count];
        if (count == 0) {
            release(offset, sizeClass);
            setHead(target, layer, EMPTY);
            return;
        }
        if (sizeClass > MIN_CLASS && count <= 1 << (sizeClass - 2)) {
            int shrunk = allocate(sizeClass - 1);
            System.arraycopy(pool, offset, pool, shrunk, count);
            release(offset, sizeClass);
            offset = shrunk;
            sizeClass--;
        }
        setHead(target, layer, pack(offset, count, sizeClass));
    }

    /** How many nodes link to {@code node} on {@code layer}. */
    int count(int node, int layer) {
        long h = head(node, layer);
        return h == EMPTY ? 0 : count(h);
    }

    /** The lowest node linking to {@code node} on {@code layer}; the list must not be empty. */
    int lowest(int node, int layer) {
        long h = head(node, layer);
        assert h != EMPTY;
        int offset = offset(h);
        int min = Integer.MAX_VALUE;
        for (int i = offset, end = offset + count(h); i < end; i++) {
            min = Math.min(min, pool[i]);
        }
        return min;
    }

    /** Copies the nodes linking to {@code node} on {@code layer} into {@code out}, growing it if needed. */
    int[] copy(int node, int layer, int[] out) {
        long h = head(node, layer);
        int count = h == EMPTY ? 0 : count(h);
        int[] target = out.length >= count ? out : new int[count];
        if (count > 0) {
            System.arraycopy(pool, offset(h), target, 0, count);
        }
        return target;
    }

    /** Bytes held: the pool, the header arrays and the upper-layer header arrays. O(1). */
    long ramBytesUsed() {
        return arrayBytes(pool.length, 4) + arrayBytes(head0.length, 8) + arrayBytes(headUpper.length, 4)
                + upperHeaderBytes;
    }

    void ensureCapacity(int needed) {
        int capacity = head0.length;
        if (needed <= capacity) {
            return;
        }
        int grown = Math.max(needed, capacity + (capacity >> 1));
        head0 = Arrays.copyOf(head0, grown);
        Arrays.fill(head0, capacity, grown, EMPTY);
        headUpper = Arrays.copyOf(headUpper, grown);
    }

    private long head(int node, int layer) {
        return layer == 0 ? head0[node] : headUpper[node][layer - 1];
    }

    private void setHead(int node, int layer, long h) {
        if (layer == 0) {
            head0[node] = h;
        } else {
            headUpper[node][layer - 1] = h;
        }
    }

    private int allocate(int sizeClass) {
        int block = freeBlocks[sizeClass];
        if (block != NO_BLOCK) {
            freeBlocks[sizeClass] = pool[block];
            return block;
        }
        int size = 1 << sizeClass;
        if (poolTop + size > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(poolTop + size, pool.length + (pool.length >> 1)));
        }
        block = poolTop;
        poolTop += size;
        return block;
    }

    private void release(int block, int sizeClass) {
        pool[block] = freeBlocks[sizeClass];
        freeBlocks[sizeClass] = block;
    }

    private static long pack(int offset, int count, int sizeClass) {
        assert count < 1 << 24;
        return ((long) offset << 32) | ((long) count << 8) | sizeClass;
    }

    private static int offset(long h) {
        return (int) (h >>> 32);
    }

    private static int count(long h) {
        return (int) (h >>> 8) & 0xFFFFFF;
    }

    private static int sizeClass(long h) {
        return (int) h & 0xFF;
    }

    private static long arrayBytes(int length, int elementBytes) {
        return (ARRAY_HEADER + (long) length * elementBytes + 7) & ~7L;
    }
}
