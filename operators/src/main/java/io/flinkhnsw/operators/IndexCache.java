package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswIndex;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The in-memory working copies of the graphs of recently used keys on one subtask, least recently
 * used dropped first. Dropping loses nothing: keyed state holds every graph in full after every event,
 * and a dropped key is reloaded from it on its next event. Used from the task thread only.
 */
final class IndexCache {
    private final LinkedHashMap<String, HnswIndex> entries;

    IndexCache(int capacity, Consumer<HnswIndex> onEvict) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, HnswIndex> eldest) {
                if (size() > capacity) {
                    onEvict.accept(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    /** The cached index of {@code key}, or null; marks it most recently used. */
    HnswIndex get(String key) {
        return entries.get(key);
    }

    void put(String key, HnswIndex index) {
        entries.put(key, index);
    }

    int size() {
        return entries.size();
    }
}
