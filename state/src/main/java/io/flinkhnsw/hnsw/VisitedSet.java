package io.flinkhnsw.hnsw;

import java.util.Arrays;

/**
 * Marks nodes seen during one search. Clearing is O(1): each search takes a new generation number
 * and a node counts as visited when its stamp equals the current generation.
 */
final class VisitedSet {
    private int[] stamps;
    private int generation;

    VisitedSet(int capacity) {
        stamps = new int[Math.max(16, capacity)];
    }

    /** Starts a new search over node ids below {@code capacity}. */
    void reset(int capacity) {
        if (capacity > stamps.length) {
            stamps = Arrays.copyOf(stamps, Math.max(capacity, stamps.length * 2));
        }
        if (++generation == 0) {
            Arrays.fill(stamps, 0);
            generation = 1;
        }
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
