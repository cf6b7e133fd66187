package io.flinkhnsw.hnsw;

/**
 * The live nodes of an index by external id: an open-addressing hash table of node numbers (linear
 * probing, backward-shift deletion) whose keys are read from the graph's own ids, so an entry
 * costs one int slot instead of a map node, a boxed Integer and a table reference (about 5-11
 * bytes against 56). {@link FlatVectors} keeps the same kind of table inline: thousands of small
 * keys would each pay for this object and its key source. The caller keeps the invariant that
 * {@link Keys} answers for a node with the id it was put under for as long as its entry exists.
 * The standing-query lists' id handles ({@code operators.ListIds}) use it the same way. Not
 * thread-safe.
 */
public final class IdTable {
    private static final int EMPTY = 0;
    private static final int MIN_SLOTS = 16;

    /** Where the table reads the id of a node it holds. */
    public interface Keys {
        boolean idEquals(int node, String id);

        /** {@link String#hashCode} of the node's id. */
        int idHash(int node);
    }

    private final Keys keys;
    /** node + 1 per slot, {@link #EMPTY} for none; the length is a power of two. */
    private int[] slots;
    private int size;

    /** A table for about {@code expectedSize} ids, whose nodes' ids {@code keys} gives. */
    public IdTable(int expectedSize, Keys keys) {
        this.keys = keys;
        this.slots = new int[slotsFor(expectedSize)];
    }

    public int size() {
        return size;
    }

    /** The node of {@code id}, or -1. */
    public int get(String id) {
        int mask = slots.length - 1;
        for (int i = hash(id) & mask; ; i = (i + 1) & mask) {
            int entry = slots[i];
            if (entry == EMPTY) {
                return -1;
            }
            if (keys.idEquals(entry - 1, id)) {
                return entry - 1;
            }
        }
    }

    /** Maps {@code id} to {@code node}, replacing the node it had. */
    public void put(String id, int node) {
        assert node >= 0;
        if ((size + 1) * 4L > slots.length * 3L) {
            resize(slots.length * 2);
        }
        int mask = slots.length - 1;
        for (int i = hash(id) & mask; ; i = (i + 1) & mask) {
            int entry = slots[i];
            if (entry == EMPTY) {
                slots[i] = node + 1;
                size++;
                return;
            }
            if (keys.idEquals(entry - 1, id)) {
                slots[i] = node + 1;
                return;
            }
        }
    }

    /** Removes {@code id}; returns the node it had, or -1. */
    public int remove(String id) {
        int mask = slots.length - 1;
        int i = hash(id) & mask;
        while (true) {
            int entry = slots[i];
            if (entry == EMPTY) {
                return -1;
            }
            if (keys.idEquals(entry - 1, id)) {
                break;
            }
            i = (i + 1) & mask;
        }
        int removed = slots[i] - 1;
        // backward shift: move later entries of the probe run into the hole when their home allows
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != EMPTY; j = (j + 1) & mask) {
            int home = mix(keys.idHash(slots[j] - 1)) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = EMPTY;
        size--;
        return removed;
    }

    /** Heap bytes of the table. */
    public long ramBytesUsed() {
        return RamUsage.object(4 + 2 * RamUsage.REFERENCE) + RamUsage.ints(slots.length);
    }

    private void resize(int length) {
        int[] old = slots;
        slots = new int[length];
        int mask = length - 1;
        for (int entry : old) {
            if (entry != EMPTY) {
                int i = mix(keys.idHash(entry - 1)) & mask;
                while (slots[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                slots[i] = entry;
            }
        }
    }

    private static int slotsFor(int expectedSize) {
        long needed = Math.max(MIN_SLOTS, expectedSize * 4L / 3 + 1);
        return (int) Math.min(1 << 30, Long.highestOneBit(needed - 1) << 1);
    }

    private static int hash(String id) {
        return mix(id.hashCode());
    }

    private static int mix(int hashCode) {
        int h = hashCode * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
