package io.flinkhnsw.operators;

/**
 * What {@link IndexCache} knew about how much evicted keys were used: a fixed table of
 * {@value #SLOTS} slots, each holding one evicted key's event and graph scores and when they were
 * taken, found by the key's hash (a later key with the same slot overwrites it; a slot answers only
 * for the hash it holds). A key read back from state starts from these scores instead of from
 * nothing, so a key used often but evicted, say by a burst of other keys, is not the first victim
 * again the moment it returns. Only eviction order depends on it, never an answer. Fixed size,
 * about 150 KB a subtask.
 */
final class EvictedScores {
    static final int SLOTS = 4096;

    private final int[] hashes = new int[SLOTS];
    private final double[] eventScores = new double[SLOTS];
    private final double[] graphScores = new double[SLOTS];
    private final long[] eventTimes = new long[SLOTS];
    private final long[] graphTimes = new long[SLOTS];

    void remember(String key, double eventScore, long eventTime, double graphScore, long graphTime) {
        int hash = key.hashCode();
        int slot = slot(hash);
        hashes[slot] = hash;
        eventScores[slot] = eventScore;
        eventTimes[slot] = eventTime;
        graphScores[slot] = graphScore;
        graphTimes[slot] = graphTime;
    }

    /** The slot remembering {@code key}, or -1 when none does. */
    int find(String key) {
        int hash = key.hashCode();
        int slot = slot(hash);
        return hashes[slot] == hash && eventScores[slot] != 0 ? slot : -1;
    }

    /** Empties {@code slot} (a score of 0 marks an empty slot: every remembered key had an event). */
    void forget(int slot) {
        eventScores[slot] = 0;
    }

    /** Forgets {@code key}'s scores, if remembered: a dropped key comes back as a new one. */
    void forget(String key) {
        int slot = find(key);
        if (slot >= 0) {
            forget(slot);
        }
    }

    double eventScore(int slot) {
        return eventScores[slot];
    }

    long eventTime(int slot) {
        return eventTimes[slot];
    }

    double graphScore(int slot) {
        return graphScores[slot];
    }

    long graphTime(int slot) {
        return graphTimes[slot];
    }

    private static int slot(int hash) {
        int h = hash * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
