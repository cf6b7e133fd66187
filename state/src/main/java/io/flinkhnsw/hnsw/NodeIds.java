package io.flinkhnsw.hnsw;

/**
 * The ids of a graph's occupied slots, for a filter that caches what it knows per slot: a token
 * tells, without building the id's string, whether a slot still holds the id it held before.
 */
public interface NodeIds {
    /**
     * An object that stays the same (by identity) while {@code node} holds the same id, and is
     * never handed out again for another id: a cache key for the slot's id.
     */
    Object idToken(int node);

    /** The id of occupied slot {@code node}, as a new string. */
    String id(int node);
}
