package io.flinkhnsw.hnsw;

import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;
import io.flinkhnsw.vector.ScaledCodes;
import io.flinkhnsw.vector.VectorKernels;

import java.util.Arrays;

/**
 * Vectors with their ids in dense slots 0..size-1: one flat float array, an id array and an
 * open-addressing id-to-slot table (no boxing). Append, replace and remove are O(1): a removed slot
 * is filled with the last one. Search is an exact scan. The small tier of a {@link KeyIndex}, and the
 * backlog of vectors not yet moved into its graph. Vectors are stored as the graph would store them
 * (already validated and, for cosine, normalised).
 *
 * <p>Under L2 and cosine a scan of {@value #CODED_MIN} or more slots also keeps each vector as int8
 * codes (one scale per slot, built by the first such scan and kept current from then on): a
 * quarter of the bytes, giving a lower bound on each slot's distance, so only slots whose bound
 * reaches the k-th distance so far are scored exactly. The answer is the exact scan's, to the bit.
 */
final class FlatVectors {
    private static final VectorKernels KERNELS = Kernels.best();
    private static final int EMPTY = 0;
    /** Slots scored per batch kernel call in a scan. */
    private static final int BATCH = 64;
    /** The fewest slots whose scan builds codes: below it a scan is cheap and stays in cache. */
    static final int CODED_MIN = 256;

    final int dim;
    private final boolean l2;
    /** Whether the metric's distance is a function of Euclidean distance, so codes can bound it. */
    private final boolean codable;
    private float[] vectors;
    /** Per slot: dim codes, the scale they are in, scale² |codes|², and |vector - scale codes| rounded up; null until built. */
    private byte[] codes;
    private float[] codeScale;
    private float[] codeNorm;
    private float[] codeError;
    private String[] ids;
    private int size;
    /** slot + 1 per used cell, EMPTY otherwise; power-of-two length, at most 2/3 full. */
    private int[] table;
    private long idChars;

    FlatVectors(int dim, Metric metric, int capacity) {
        assert dim > 0;
        this.dim = dim;
        this.l2 = metric == Metric.L2;
        this.codable = metric != Metric.INNER_PRODUCT && dim % KERNELS.packedWidth() == 0;
        int c = Math.max(1, capacity);
        this.vectors = new float[Math.multiplyExact(c, dim)];
        this.ids = new String[c];
        this.table = new int[tableLength(c)];
    }

    /**
     * The {@code count} slots {@code source} holds, read in any order: every slot below
     * {@code count} exactly once.
     */
    static FlatVectors restore(int dim, Metric metric, int count, KeyIndex.FlatSource source) {
        FlatVectors f = new FlatVectors(dim, metric, count);
        source.read(count, (slot, id, vector) -> {
            if (slot < 0 || slot >= count || f.ids[slot] != null || vector.length != dim) {
                throw new IllegalStateException("stored flat tier is inconsistent: slot " + slot + " of " + count
                        + (slot >= 0 && slot < count && f.ids[slot] != null ? " read twice" : "")
                        + ", dimension " + vector.length + " of " + dim);
            }
            System.arraycopy(vector, 0, f.vectors, slot * dim, dim);
            f.ids[slot] = id;
            f.idChars += id.length();
        });
        for (int slot = 0; slot < count; slot++) {
            if (f.ids[slot] == null) {
                throw new IllegalStateException("stored flat tier is inconsistent: slot " + slot + " of " + count
                        + " is missing");
            }
        }
        f.size = count;
        f.rehash(tableLength(count));
        return f;
    }

    int size() {
        return size;
    }

    String id(int slot) {
        assert slot < size;
        return ids[slot];
    }

    /** Copies the vector of {@code slot} into {@code out}. */
    void copyVector(int slot, float[] out) {
        System.arraycopy(vectors, slot * dim, out, 0, dim);
    }

    /** The slot of {@code id}, or -1. */
    int slotOf(String id) {
        int mask = table.length - 1;
        for (int i = hash(id) & mask; ; i = (i + 1) & mask) {
            int cell = table[i];
            if (cell == EMPTY) {
                return -1;
            }
            if (ids[cell - 1].equals(id)) {
                return cell - 1;
            }
        }
    }

    /** Adds a vector under a new id; returns its slot. */
    int append(String id, float[] vector) {
        assert slotOf(id) < 0 && vector.length == dim;
        if (size == ids.length) {
            grow(size + 1);
        }
        int slot = size++;
        System.arraycopy(vector, 0, vectors, slot * dim, dim);
        if (codes != null) {
            encode(slot);
        }
        ids[slot] = id;
        idChars += id.length();
        if ((long) size * 3 > (long) table.length * 2) {
            rehash(tableLength(size));
        } else {
            insert(slot);
        }
        return slot;
    }

    /** True when {@code vector} differs from what {@code slot} holds, which it then replaces. */
    boolean replace(int slot, float[] vector) {
        int offset = slot * dim;
        boolean same = true;
        for (int i = 0; i < dim && same; i++) {
            same = Float.floatToIntBits(vectors[offset + i]) == Float.floatToIntBits(vector[i]);
        }
        if (!same) {
            System.arraycopy(vector, 0, vectors, offset, dim);
            if (codes != null) {
                encode(slot);
            }
        }
        return !same;
    }

    /**
     * Removes {@code slot}; the last slot's vector and id move into it. Returns the slot that moved
     * (the old last one) or -1 when {@code slot} was the last.
     */
    int remove(int slot) {
        assert slot >= 0 && slot < size;
        removeFromTable(slot);
        idChars -= ids[slot].length();
        int last = --size;
        if (slot == last) {
            ids[last] = null;
            return -1;
        }
        removeFromTable(last);
        System.arraycopy(vectors, last * dim, vectors, slot * dim, dim);
        if (codes != null) {
            System.arraycopy(codes, last * dim, codes, slot * dim, dim);
            codeScale[slot] = codeScale[last];
            codeNorm[slot] = codeNorm[last];
            codeError[slot] = codeError[last];
        }
        ids[slot] = ids[last];
        ids[last] = null;
        insert(slot);
        return last;
    }

    float distance(float[] query, int slot) {
        return l2 ? KERNELS.squaredL2(query, 0, vectors, slot * dim, dim)
                : 1f - KERNELS.dot(query, 0, vectors, slot * dim, dim);
    }

    /**
     * The k nearest slots to a prepared query whose ids {@code filter} accepts (all when null), as
     * {@link ScoredNode} codes (ties by slot), nearest first, into {@code out}; returns how many.
     * Slots farther than {@code bound} may be left out (a caller that already holds k answers at
     * most that far needs none of them); pass infinity for the plain k nearest. {@code heap} is scratch.
     */
    int search(float[] query, int k, IdFilter filter, float bound, LongMinHeap heap, long[] out) {
        heap.clear();
        if (codable && size >= CODED_MIN && codes == null) {
            buildCodes();
        }
        if (dim % KERNELS.packedWidth() != 0) {
            for (int slot = 0; slot < size; slot++) {
                if (filter == null || filter.acceptsId(ids[slot])) {
                    HnswIndex.offer(heap, k, distance(query, slot), slot);
                }
            }
        } else {
            scanInBatches(query, k, filter, bound, heap);
        }
        int n = heap.size();
        for (int i = n - 1; i >= 0; i--) {
            out[i] = ~heap.pop();
        }
        return n;
    }

    /**
     * The scan of {@link #search} for a dimension the batch kernels take: {@value #BATCH} slots at a
     * time, scored four at once. Its distances may differ from {@link #distance} in the last bits
     * (the kernels sum in another order); no caller compares the two. With codes, each batch first
     * drops the slots that cannot reach the k-th distance so far ({@link #keepReachable}).
     */
    private void scanInBatches(float[] query, int k, IdFilter filter, float bound, LongMinHeap heap) {
        float queryNorm = codes == null ? 0 : KERNELS.dot(query, 0, query, 0, dim);
        int[] slots = new int[Math.min(BATCH, size)];
        int[] offsets = new int[slots.length];
        float[] scores = new float[slots.length];
        for (int slot = 0; slot < size; ) {
            int n = 0;
            for (; slot < size && n < slots.length; slot++) {
                if (filter == null || filter.acceptsId(ids[slot])) {
                    slots[n] = slot;
                    offsets[n++] = slot * dim;
                }
            }
            float limit = heap.size() < k ? bound : Math.min(bound, ScoredNode.distance(~heap.peek()));
            if (codes != null && limit != Float.POSITIVE_INFINITY) {
                n = keepReachable(query, queryNorm, limit, slots, offsets, n, scores);
            }
            if (n == 0) {
                continue;
            }
            if (l2) {
                KERNELS.squaredL2Batch(query, vectors, offsets, n, dim, scores);
            } else {
                KERNELS.dotBatch(query, vectors, offsets, n, dim, scores);
            }
            for (int j = 0; j < n; j++) {
                HnswIndex.offer(heap, k, l2 ? scores[j] : 1f - scores[j], slots[j]);
            }
        }
    }

    /**
     * Keeps, in place and in order, the first {@code n} of {@code slots} (and their offsets) whose
     * codes' lower bound on the Euclidean distance ({@link ScaledCodes#mayReach}) leaves them within
     * {@code limit} of the query; returns how many.
     */
    private int keepReachable(float[] query, float queryNorm, float limit, int[] slots, int[] offsets, int n,
                              float[] scratch) {
        KERNELS.dotInt8Batch(query, 0, codes, offsets, n, dim, scratch);
        float reach = ScaledCodes.widen((float) Math.sqrt(Math.max(0f, l2 ? limit : 2 * limit)));
        int kept = 0;
        for (int j = 0; j < n; j++) {
            int s = slots[j];
            if (ScaledCodes.mayReach(queryNorm, scratch[j], codeScale[s], codeNorm[s], codeError[s], reach)) {
                slots[kept] = s;
                offsets[kept++] = offsets[j];
            }
        }
        return kept;
    }

    private void buildCodes() {
        int capacity = ids.length;
        codes = new byte[Math.multiplyExact(capacity, dim)];
        codeScale = new float[capacity];
        codeNorm = new float[capacity];
        codeError = new float[capacity];
        for (int slot = 0; slot < size; slot++) {
            encode(slot);
        }
    }

    private void encode(int slot) {
        ScaledCodes.encode(vectors, slot * dim, null, 0, dim, codes, slot * dim, codeScale, codeNorm, codeError,
                slot);
    }

    /** Heap bytes: this object, the vector, id, table and code arrays, and the id strings. */
    long ramBytesUsed() {
        long coded = codes == null ? 0 : RamUsage.bytes(codes.length) + 3 * RamUsage.floats(codeScale.length);
        return RamUsage.object(4 + 2 + 7 * RamUsage.REFERENCE + 4 + 8) + RamUsage.floats(vectors.length)
                + RamUsage.references(ids.length) + RamUsage.ints(table.length)
                + size * RamUsage.string(0) + idChars + coded;
    }

    private void grow(int needed) {
        // 1.5x: a quarter more per step copied every vector four times over while a key grew
        long capacity = Math.max(needed, ids.length + (ids.length >> 1) + 2L);
        capacity = Math.min(capacity, maxCapacity(dim));
        if (capacity < needed) {
            throw new InvalidVectorException("this key holds " + size + " vectors of dimension " + dim
                    + ", the most one flat array can hold");
        }
        vectors = Arrays.copyOf(vectors, (int) capacity * dim);
        ids = Arrays.copyOf(ids, (int) capacity);
        if (codes != null) {
            codes = Arrays.copyOf(codes, (int) capacity * dim);
            codeScale = Arrays.copyOf(codeScale, (int) capacity);
            codeNorm = Arrays.copyOf(codeNorm, (int) capacity);
            codeError = Arrays.copyOf(codeError, (int) capacity);
        }
    }

    /** The most vectors of this dimension one float array can hold. */
    static long maxCapacity(int dim) {
        return (Integer.MAX_VALUE - 16L) / dim;
    }

    private static int tableLength(int entries) {
        long needed = Math.max(4L, (entries * 3L + 1) / 2);
        return (int) Math.min(1L << 30, Long.highestOneBit(needed - 1) << 1);
    }

    private static int hash(String id) {
        int h = id.hashCode();
        return h ^ (h >>> 16);
    }

    private void insert(int slot) {
        int mask = table.length - 1;
        int i = hash(ids[slot]) & mask;
        while (table[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        table[i] = slot + 1;
    }

    /** Linear-probing deletion that shifts later cells back, so no tombstones accumulate. */
    private void removeFromTable(int slot) {
        int mask = table.length - 1;
        int i = hash(ids[slot]) & mask;
        while (table[i] != slot + 1) {
            i = (i + 1) & mask;
        }
        table[i] = EMPTY;
        for (int j = (i + 1) & mask; table[j] != EMPTY; j = (j + 1) & mask) {
            int home = hash(ids[table[j] - 1]) & mask;
            // move j's cell into the hole at i unless its home lies cyclically in (i, j]
            boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays) {
                table[i] = table[j];
                table[j] = EMPTY;
                i = j;
            }
        }
    }

    private void rehash(int length) {
        table = new int[length];
        for (int slot = 0; slot < size; slot++) {
            insert(slot);
        }
    }
}
