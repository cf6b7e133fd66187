package io.flinkhnsw.hnsw;

import java.util.BitSet;

/**
 * The live nodes by top layer, one bit set per level, so a new entry point (the lowest live node on
 * the highest level that has one) is found without walking the graph when the old one is deleted.
 * Derived from the nodes, rebuilt on load, never stored; about one bit per slot.
 */
final class LiveLevels {
    private final BitSet[] byLevel = new BitSet[LevelGenerator.MAX_LEVEL + 1];
    private final int[] counts = new int[LevelGenerator.MAX_LEVEL + 1];

    void add(int node, int level) {
        if (byLevel[level] == null) {
            byLevel[level] = new BitSet();
        }
        byLevel[level].set(node);
        counts[level]++;
    }

    void remove(int node, int level) {
        assert byLevel[level].get(node);
        byLevel[level].clear(node);
        counts[level]--;
    }

    /** The lowest live node on the highest level that has one, or {@link GraphHeader#NO_ENTRY}. */
    int highest() {
        for (int level = counts.length - 1; level >= 0; level--) {
            if (counts[level] > 0) {
                return byLevel[level].nextSetBit(0);
            }
        }
        return GraphHeader.NO_ENTRY;
    }

    /** Bytes held by the bit sets' words. */
    long ramBytesUsed() {
        long bytes = 0;
        for (BitSet set : byLevel) {
            if (set != null) {
                bytes += 16 + set.size() / 8;
            }
        }
        return bytes;
    }
}
