package io.flinkhnsw.hnsw;

import java.util.Arrays;

/**
 * Marks nodes seen during one search. Each search takes a new generation number and a node counts
 * as visited when its stamp equals the current generation. Stamps are bytes, a quarter of the
 * memory (and cache footprint) of int stamps; the array is cleared once every 255 searches.
 */
final class VisitedSet {
    private static final int GENERATIONS = 255;
    private byte[] stamps;
    private byte generation;

    VisitedSet(int capacity) {
        stamps = new byte[Math.max(16, capacity)];
    }

    /** Starts a new search over node ids below {@code capacity}. */
    void reset(int capacity) {
        if (capacity > stamps.length) {
            stamps = Arrays.copyOf(stamps, Math.max(capacity, stamps.length + (stamps.length >> 1)));
        }
        if ((generation & 0xFF) == GENERATIONS) {
            Arrays.fill(stamps, (byte) 0);
            generation = 0;
        }
        generation++;
    }

    /** Marks {@code node}; returns false when it was already marked in this search. */
    boolean add(int node) {
        if (stamps[node] == generation) {
            return false;
        }
        stamps[node] = generation;
        return true;
    }

    boolean contains(int node) {
        return stamps[node] == generation;
    }
}
