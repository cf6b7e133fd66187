package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.IdTable;
import io.flinkhnsw.hnsw.RamUsage;

import java.util.Arrays;

/**
 * The item ids that one key's standing-query lists hold, each interned as an int handle with a
 * count of the holds on it (list entries, plus any a caller takes while it offers an id to many
 * lists); a handle is freed, and may be given to another id, when its last hold is released. Lists
 * are then primitive arrays: offering an insert to a hundred lists writes no object reference into
 * them, which under G1 would dirty a card of each (old) list for the refinement threads, and an id
 * held by many lists is one string, found through an {@link IdTable} that reads the ids from here.
 * Not persisted: list records name ids, and handles are taken again when they are read.
 */
final class ListIds {
    private String[] ids = new String[16];
    private int[] holds = new int[16];
    private int[] free = new int[16];
    private int freeCount;
    private int next;
    private long stringBytes;
    private final IdTable handles = new IdTable(0, new IdTable.Keys() {
        @Override
        public boolean idEquals(int handle, String id) {
            return ids[handle].equals(id);
        }

        @Override
        public int idHash(int handle) {
            return ids[handle].hashCode();
        }
    });

    /** The handle of {@code id}, with one more hold on it (a new handle when no list holds it). */
    int acquire(String id) {
        int existing = handles.get(id);
        if (existing >= 0) {
            holds[existing]++;
            return existing;
        }
        int h = freeCount > 0 ? free[--freeCount] : next++;
        if (h == ids.length) {
            ids = Arrays.copyOf(ids, 2 * h);
            holds = Arrays.copyOf(holds, 2 * h);
        }
        ids[h] = id;
        holds[h] = 1;
        handles.put(id, h);
        stringBytes += RamUsage.string(id.length());
        return h;
    }

    /** One more hold on a handle that is held. */
    void hold(int handle) {
        assert holds[handle] > 0 : "handle " + handle + " is free";
        holds[handle]++;
    }

    /** Releases one hold; the last frees the handle. */
    void release(int handle) {
        assert holds[handle] > 0 : "handle " + handle + " is free";
        if (--holds[handle] == 0) {
            String id = ids[handle];
            handles.remove(id);
            stringBytes -= RamUsage.string(id.length());
            ids[handle] = null;
            if (freeCount == free.length) {
                free = Arrays.copyOf(free, 2 * freeCount);
            }
            free[freeCount++] = handle;
        }
    }

    /** The handle of {@code id}, or -1 when no list holds it. */
    int find(String id) {
        return handles.get(id);
    }

    String id(int handle) {
        assert ids[handle] != null : "handle " + handle + " is free";
        return ids[handle];
    }

    /** How many ids are held. */
    int size() {
        return handles.size();
    }

    long ramBytesUsed() {
        return RamUsage.object(4 * RamUsage.REFERENCE + 2 * 4 + 8) + RamUsage.object(RamUsage.REFERENCE)
                + handles.ramBytesUsed()
                + RamUsage.references(ids.length) + RamUsage.ints(holds.length) + RamUsage.ints(free.length)
                + stringBytes;
    }
}
