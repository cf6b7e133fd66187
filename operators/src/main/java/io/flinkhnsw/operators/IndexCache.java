package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.hnsw.RamUsage;
import io.flinkhnsw.operators.state.KeyWriteBack;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory working copies of one subtask's recently used keys, each with its write-back,
 * bounded by a budget in bytes: every entry accounts its index, its write-back marks and its own
 * overhead, kept current after every event in O(1), and least recently used keys are evicted
 * beyond the budget (never the key in use, so one key larger than the budget still works, alone).
 * A key with unwritten changes is recorded as dirty, in the order keys first became dirty since
 * their last flush, which is the (deterministic) order they are flushed in; the {@link Evictor}
 * flushes a dirty key before it goes, so eviction loses nothing and an evicted key is reloaded from
 * keyed state on its next event. Task thread only.
 */
final class IndexCache {
    /** The cache's own bytes per entry besides the key string: the entry, its map node and its table slot. */
    private static final long ENTRY_OVERHEAD = RamUsage.object(5 * RamUsage.REFERENCE + 16)
            + RamUsage.object(4 + 4 * RamUsage.REFERENCE + 2 * RamUsage.REFERENCE) + 2 * RamUsage.REFERENCE;

    /** A cached key: its index, its write-back, and the bytes and pending writes last accounted for it. */
    static final class Entry {
        final String key;
        final KeyIndex index;
        final KeyWriteBack writeBack;
        private long bytes;
        private long pending;

        Entry(String key, KeyIndex index, KeyWriteBack writeBack) {
            this.key = key;
            this.index = index;
            this.writeBack = writeBack;
        }

        long bytes() {
            return bytes;
        }
    }

    /** Called for an entry about to be evicted; must leave its write-back clean (flush it under its key). */
    interface Evictor {
        void evict(Entry entry);
    }

    private final Evictor evictor;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<String, Entry> dirty = new LinkedHashMap<>();
    private long totalBytes;
    private long pendingBytes;

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
        update(entry);
    }

    /**
     * Re-accounts {@code entry} after a change (O(1)) and records it as dirty when its write-back
     * holds changes.
     */
    void update(Entry entry) {
        long bytes = ENTRY_OVERHEAD + RamUsage.string(entry.key.length()) + entry.index.ramBytesUsed()
                + entry.writeBack.ramBytesUsed();
        totalBytes += bytes - entry.bytes;
        entry.bytes = bytes;
        long pending = entry.writeBack.pendingBytes();
        pendingBytes += pending - entry.pending;
        entry.pending = pending;
        if (entry.writeBack.dirty()) {
            dirty.putIfAbsent(entry.key, entry);
        }
    }

    /** Evicts least recently used entries other than {@code keep} while the cache holds more than {@code budget} bytes. */
    int evictOver(long budget, Entry keep) {
        int evicted = 0;
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (totalBytes > budget && it.hasNext()) {
            Entry eldest = it.next().getValue();
            if (eldest == keep) {
                continue;
            }
            evictor.evict(eldest);
            if (eldest.writeBack.dirty()) {
                throw new IllegalStateException("key " + eldest.key + " evicted with unflushed changes");
            }
            dirty.remove(eldest.key);
            it.remove();
            forget(eldest);
            evicted++;
        }
        return evicted;
    }

    /** Drops {@code key}'s entry with whatever it has not written (the key is being dropped). */
    void discard(String key) {
        Entry e = entries.remove(key);
        if (e != null) {
            dirty.remove(key);
            forget(e);
        }
    }

    private void forget(Entry e) {
        totalBytes -= e.bytes;
        pendingBytes -= e.pending;
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

    /** Estimated bytes of changes not yet written, over all cached keys. */
    long pendingBytes() {
        return pendingBytes;
    }
}
