package io.flinkhnsw.hnsw;

import java.util.function.IntFunction;

/**
 * The live nodes of an index by external id: an open-addressing hash table of node numbers (linear
 * probing, backward-shift deletion) whose keys are read from the graph's own id array, so an entry
 * costs one int slot instead of a map node, a boxed Integer and a table reference (about 5-11
 * bytes against 56). {@link FlatVectors} keeps the same kind of table inline: thousands of small
 * keys would each pay for this object and its id function. The caller keeps the invariant that
 * {@code idOf(node)} is the id a node was put under for as long as its entry exists. Not
 * thread-safe.
 */
final class IdTable {
    private static final int EMPTY = 0;
    private static final int MIN_SLOTS = 16;

    private final IntFunction<String> idOf;
    /** node + 1 per slot, {@link #EMPTY} for none; the length is a power of two. */
    private int[] slots;
    private int size;

    /** A table for about {@code expectedSize} ids; {@code idOf} gives the id of a node in it. */
    IdTable(int expectedSize, IntFunction<String> idOf) {
        this.idOf = idOf;
        this.slots = new int[slotsFor(expectedSize)];
    }

    int size() {
        return size;
    }

    /** The node of {@code id}, or -1. */
    int get(String id) {
        int mask = slots.length - 1;
        for (int i = hash(id) & mask; ; i = (i + 1) & mask) {
            int entry = slots[i];
            if (entry == EMPTY) {
                return -1;
            }
            if (idOf.apply(entry - 1).equals(id)) {
                return entry - 1;
            }
        }
    }

    /** Maps {@code id} to {@code node}, replacing the node it had. */
    void put(String id, int node) {
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
            if (idOf.apply(entry - 1).equals(id)) {
                slots[i] = node + 1;
                return;
            }
        }
    }

    /** Removes {@code id}; returns the node it had, or -1. */
    int remove(String id) {
        int mask = slots.length - 1;
        int i = hash(id) & mask;
        while (true) {
            int entry = slots[i];
            if (entry == EMPTY) {
                return -1;
            }
            if (idOf.apply(entry - 1).equals(id)) {
                break;
            }
            i = (i + 1) & mask;
        }
        int removed = slots[i] - 1;
        // backward shift: move later entries of the probe run into the hole when their home allows
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != EMPTY; j = (j + 1) & mask) {
            int home = hash(idOf.apply(slots[j] - 1)) & mask;
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
    long ramBytesUsed() {
        return RamUsage.object(4 + 2 * RamUsage.REFERENCE) + RamUsage.ints(slots.length);
    }

    private void resize(int length) {
        int[] old = slots;
        slots = new int[length];
        int mask = length - 1;
        for (int entry : old) {
            if (entry != EMPTY) {
                int i = hash(idOf.apply(entry - 1)) & mask;
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
        int h = id.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
