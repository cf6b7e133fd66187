package io.flinkhnsw.operators;

import io.flinkhnsw.filter.FieldIndex;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.hnsw.RamUsage;
import io.flinkhnsw.operators.state.KeyWriteBack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The in-memory working copies of one subtask's recently used keys, each with its write-back,
 * bounded by a budget in bytes: every entry accounts its index, its write-back marks and its own
 * overhead, kept current after every event in O(1); the direct memory of int8 graphs (their
 * full-precision vectors) is accounted apart, with a bound of its own. Beyond either it drops, one at a time, the
 * least used part among the graphs in memory and the few least recently used keys: a graph scores
 * the events that needed it, a key the events it received, both decaying with a half-life of
 * {@value #HALF_LIFE} events (a frequency, as LFU caches use, since what a miss costs and what
 * the part occupies both grow with its vectors). A draining key's graph scores at least the key's
 * events, since each of its writes needs it until the backlog is empty; a key read back from state
 * starts from the scores it had when it was evicted ({@link EvictedScores}), not from nothing, which
 * would make it the first victim again. Dropping a graph keeps the key's header and
 * backlog, so writes go on without it; evicting a key drops it all. The key in use is never
 * dropped, so one key larger than the budget still works, alone. A key's standing queries
 * ({@link SubscriptionBook}) are part of its entry, accounted and written back with it. A key with
 * unwritten changes is
 * recorded as dirty, in the order keys first became dirty since their last flush, which is the
 * (deterministic) order they are flushed in; the {@link Evictor} writes a key's changes before any
 * of it goes, so nothing is lost and a dropped part is read back from keyed state when needed.
 * Task thread only.
 */
final class IndexCache {
    /** The cache's own bytes per entry besides the key string: the entry, its map node and its table slot. */
    private static final long ENTRY_OVERHEAD = RamUsage.object(5 * RamUsage.REFERENCE + 16)
            + RamUsage.object(4 + 4 * RamUsage.REFERENCE + 2 * RamUsage.REFERENCE) + 2 * RamUsage.REFERENCE;

    /** Events over which a use counts for half. */
    static final long HALF_LIFE = 50_000;
    /** How many of the least recently used keys compete with the graphs for eviction. */
    private static final int LRU_CANDIDATES = 8;

    /**
     * A cached key: its index, its write-back, the bytes and pending writes last accounted for it,
     * and how much its graph was used lately.
     */
    static final class Entry {
        final String key;
        final KeyIndex index;
        final KeyWriteBack writeBack;
        /** The index of the key's filterable payload fields; null when it has none declared. */
        final FieldIndex fields;
        /** The key's standing queries. */
        final SubscriptionBook subscriptions;
        private long bytes;
        private long offHeapBytes;
        private int subscriptionCount;
        private long pending;
        private long graphUses;
        private double graphScore;
        private long graphScoredAt;
        private double eventScore;
        private long eventScoredAt;

        Entry(String key, KeyIndex index, KeyWriteBack writeBack) {
            this(key, index, writeBack, null, new SubscriptionBook(index.config().metric()));
        }

        Entry(String key, KeyIndex index, KeyWriteBack writeBack, FieldIndex fields, SubscriptionBook subscriptions) {
            this.key = key;
            this.index = index;
            this.writeBack = writeBack;
            this.fields = fields;
            this.subscriptions = subscriptions;
        }

        /** True when the index or the standing queries hold changes not yet in keyed state. */
        boolean dirty() {
            return writeBack.dirty() || subscriptions.dirty();
        }

        long bytes() {
            return bytes;
        }
    }

    /** Writes an entry's changes under its own key, before its graph or the whole entry is dropped. */
    interface Evictor {
        void evict(Entry entry);
    }

    private final Evictor evictor;
    private final EvictedScores evicted = new EvictedScores();
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<String, Entry> dirty = new LinkedHashMap<>();
    /** Entries whose graph is in memory. */
    private final java.util.Set<Entry> graphs = new java.util.HashSet<>();
    private long totalBytes;
    /** Bounded apart from {@link #totalBytes}: direct memory is a pool of its own. */
    private long offHeapBytes;
    private long pendingBytes;
    private long subscriptions;
    private long clock;

    IndexCache(Evictor evictor) {
        this.evictor = evictor;
    }

    /** The cached entry of {@code key}, or null; marks it most recently used. */
    Entry get(String key) {
        return entries.get(key);
    }

    /** Caches {@code entry} as the most recently used. */
    void put(Entry entry) {
        Entry old = entries.put(entry.key, entry);
        assert old == null : "key cached twice: " + entry.key;
        int slot = evicted.find(entry.key);
        if (slot >= 0) {
            entry.eventScore = evicted.eventScore(slot);
            entry.eventScoredAt = evicted.eventTime(slot);
            entry.graphScore = evicted.graphScore(slot);
            entry.graphScoredAt = evicted.graphTime(slot);
            evicted.forget(slot);
        }
        update(entry);
    }

    /**
     * Re-accounts {@code entry} after a change (O(1)) and records it as dirty when its write-back
     * holds changes.
     */
    /** Counts an event of {@code entry}'s key: call once per event, before {@link #update}. */
    void touch(Entry entry) {
        clock++;
        entry.eventScore = decay(entry.eventScore, entry.eventScoredAt) + 1;
        entry.eventScoredAt = clock;
    }

    void update(Entry entry) {
        long uses = entry.index.graphUses();
        if (uses != entry.graphUses) {
            entry.graphScore = decay(entry.graphScore, entry.graphScoredAt) + (uses - entry.graphUses);
            entry.graphScoredAt = clock;
            entry.graphUses = uses;
        }
        if (entry.index.graphLoaded()) {
            graphs.add(entry);
        } else {
            graphs.remove(entry);
        }
        long bytes = ENTRY_OVERHEAD + RamUsage.string(entry.key.length()) + entry.index.ramBytesUsed()
                + entry.writeBack.ramBytesUsed() + (entry.fields == null ? 0 : entry.fields.ramBytesUsed())
                + entry.subscriptions.ramBytesUsed();
        totalBytes += bytes - entry.bytes;
        entry.bytes = bytes;
        long offHeap = entry.index.offHeapBytesUsed();
        offHeapBytes += offHeap - entry.offHeapBytes;
        entry.offHeapBytes = offHeap;
        // subscription records are not counted: at most one per subscription is pending, so the book's
        // size already bounds that work at a barrier, and counting them had a key with many busy
        // subscriptions write all of them back every few events (tenant-bench, 100k subscriptions)
        long pending = entry.writeBack.pendingBytes();
        pendingBytes += pending - entry.pending;
        entry.pending = pending;
        subscriptions += entry.subscriptions.size() - entry.subscriptionCount;
        entry.subscriptionCount = entry.subscriptions.size();
        if (entry.dirty()) {
            dirty.putIfAbsent(entry.key, entry);
        }
    }

    private double decay(double score, long since) {
        return score * Math.pow(0.5, (double) (clock - since) / HALF_LIFE);
    }

    /**
     * While the cache holds more than {@code budget} bytes of heap, or more than
     * {@code offHeapBudget} of direct memory, drops the least used of: the graphs in memory, and the
     * {@value #LRU_CANDIDATES} least recently used keys (a key with its graph scores as the more used
     * of the two), only among those holding direct memory when the heap is within its budget; never
     * {@code keep}. Returns how many parts it dropped.
     */
    int evictOver(long budget, long offHeapBudget, Entry keep) {
        int dropped = 0;
        while (totalBytes > budget || offHeapBytes > offHeapBudget) {
            // over the direct-memory bound only: just the int8 graphs can help
            boolean offHeapOnly = totalBytes <= budget;
            Entry victim = null;
            boolean graphOnly = false;
            double lowest = Double.MAX_VALUE;
            for (Entry e : graphs) {
                double score = graphScore(e);
                if (score < lowest && evictable(e, keep, offHeapOnly)) {
                    lowest = score;
                    victim = e;
                    graphOnly = true;
                }
            }
            int candidates = 0;
            for (Entry e : entries.values()) {
                if (candidates++ == LRU_CANDIDATES) {
                    break;
                }
                double score = decay(e.eventScore, e.eventScoredAt);
                if (e.index.graphLoaded()) {
                    score = Math.max(score, graphScore(e));
                }
                if (score < lowest && evictable(e, keep, offHeapOnly)) {
                    lowest = score;
                    victim = e;
                    graphOnly = false;
                }
            }
            if (victim == null) {
                break;
            }
            evictor.evict(victim);
            if (victim.dirty()) {
                throw new IllegalStateException("key " + victim.key + " dropped with unflushed changes");
            }
            dirty.remove(victim.key);
            if (graphOnly) {
                victim.index.unloadGraph();
                update(victim);
            } else {
                entries.remove(victim.key);
                forget(victim);
                evicted.remember(victim.key, victim.eventScore, victim.eventScoredAt, victim.graphScore,
                        victim.graphScoredAt);
            }
            dropped++;
        }
        return dropped;
    }

    /**
     * How much {@code e}'s graph is needed: the events that needed it, or, while the key drains
     * (every write of it needs the graph until the backlog is empty), the key's events.
     */
    private double graphScore(Entry e) {
        double used = decay(e.graphScore, e.graphScoredAt);
        return e.index.draining() ? Math.max(used, decay(e.eventScore, e.eventScoredAt)) : used;
    }

    /** Whether dropping (part of) {@code e} helps: never {@code keep}, and over the direct-memory bound only, a key holding some. */
    private static boolean evictable(Entry e, Entry keep, boolean offHeapOnly) {
        return e != keep && (!offHeapOnly || e.offHeapBytes > 0);
    }

    /**
     * Drops {@code key}'s entry, if cached, with whatever it has not written, and any scores
     * remembered for it (the key is being dropped).
     */
    void discard(String key) {
        evicted.forget(key);
        Entry e = entries.remove(key);
        if (e != null) {
            dirty.remove(key);
            forget(e);
        }
    }

    private void forget(Entry e) {
        totalBytes -= e.bytes;
        offHeapBytes -= e.offHeapBytes;
        pendingBytes -= e.pending;
        subscriptions -= e.subscriptionCount;
        graphs.remove(e);
    }

    /** The dirty keys' entries in the order they became dirty; clears the dirty set. */
    List<Entry> takeDirty() {
        List<Entry> out = new ArrayList<>(dirty.values());
        dirty.clear();
        return out;
    }

    int size() {
        return entries.size();
    }

    /** Accounted bytes of all cached keys. */
    long totalBytes() {
        return totalBytes;
    }

    /** Direct memory of the cached keys: the full-precision vectors of their int8 graphs. */
    long offHeapBytes() {
        return offHeapBytes;
    }

    /** Standing queries of the cached keys. */
    long subscriptions() {
        return subscriptions;
    }

    /** Estimated bytes of changes not yet written, over all cached keys. */
    long pendingBytes() {
        return pendingBytes;
    }
}
