package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.operators.state.BufferedGraphStore;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory working copies of the graphs of recently used keys on one subtask, each with the
 * write-back buffer of its changes, least recently used dropped first. A key whose buffer holds
 * changes is recorded as dirty, in the order keys first became dirty since their last flush, which
 * is the (deterministic) order they are flushed in. A dirty key is never dropped as it is: the
 * {@link Evictor} must flush it first, so dropping loses nothing and a dropped key is reloaded from
 * keyed state on its next event. Used from the task thread only.
 */
final class IndexCache {

    /** A cached graph and the buffer its changes go to. */
    record Entry(String key, HnswIndex index, BufferedGraphStore store) {
    }

    /** Called for the entry about to be dropped; must leave its buffer empty (flush it under its key). */
    interface Evictor {
        void evict(Entry entry);
    }

    private final int capacity;
    private final Evictor evictor;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<String, Entry> dirty = new LinkedHashMap<>();

    IndexCache(int capacity, Evictor evictor) {
        this.capacity = capacity;
        this.evictor = evictor;
    }

    /** The cached entry of {@code key}, or null; marks it most recently used. */
    Entry get(String key) {
        return entries.get(key);
    }

    /** Caches {@code entry} as most recently used, dropping least recently used keys beyond capacity. */
    void put(Entry entry) {
        entries.put(entry.key(), entry);
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            Entry eldest = it.next().getValue();
            if (eldest == entry) {
                break;
            }
            evictor.evict(eldest);
            if (eldest.store().dirty()) {
                throw new IllegalStateException("key " + eldest.key() + " evicted with unflushed changes");
            }
            dirty.remove(eldest.key());
            it.remove();
        }
    }

    /** Records that the entry's buffer holds changes (keeps its place if it was dirty already). */
    void markDirty(Entry entry) {
        dirty.putIfAbsent(entry.key(), entry);
    }

    /** The dirty keys' entries in the order they became dirty; clears the dirty set. */
    List<Entry> takeDirty() {
        List<Entry> out = new ArrayList<>(dirty.values());
        dirty.clear();
        return out;
    }
}
