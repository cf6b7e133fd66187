package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.GraphStore;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The write-back {@link GraphStore} of one key's graph: changes are recorded in memory, only the
 * latest value per state entry (the header, each node record, each (node, layer) link list, each
 * tombstone; removals kept as deletions), and written to keyed state by {@link #flush} in one go.
 * Reads (used only when an index is loaded) go to keyed state and require a clean buffer, so a graph
 * is always loaded from what state holds.
 *
 * <p>Like {@link KeyedStateGraphStore}, {@link #flush} and the reads act on the operator's current
 * key: the caller must have set it to this store's key. Used from the task thread only.
 */
public final class BufferedGraphStore implements GraphStore {
    private final KeyedStateGraphStore state;
    private final Budget budget;

    private GraphHeader header;
    private final HashMap<Integer, byte[]> nodes = new HashMap<>();
    private final HashMap<Long, int[]> links = new HashMap<>();
    /** Deletion sequence per tombstone; null = remove the tombstone entry. */
    private final HashMap<Integer, Long> tombstones = new HashMap<>();

    /** How many buffered entries all stores sharing it hold, so a subtask can bound its buffer memory. */
    public static final class Budget {
        private long entries;

        public long entries() {
            return entries;
        }
    }

    public BufferedGraphStore(KeyedStateGraphStore state, Budget budget) {
        this.state = state;
        this.budget = budget;
    }

    /** True when changes are buffered that keyed state does not hold yet. */
    public boolean dirty() {
        return header != null || !nodes.isEmpty() || !links.isEmpty() || !tombstones.isEmpty();
    }

    /** Buffered entries: header + node records + link lists + tombstones (deletions included). */
    public int size() {
        return (header != null ? 1 : 0) + nodes.size() + links.size() + tombstones.size();
    }

    /** Writes every buffered change into keyed state under the current key and empties the buffer; returns the entries written. */
    public int flush() {
        int n = size();
        if (n == 0) {
            return 0;
        }
        state.apply(header, nodes, links, tombstones);
        header = null;
        nodes.clear();
        links.clear();
        tombstones.clear();
        budget.entries -= n;
        return n;
    }

    @Override
    public void writeHeader(GraphHeader h) {
        if (header == null) {
            budget.entries++;
        }
        header = h;
    }

    @Override
    public void writeNode(int node, String id, int level, float[] vector) {
        int before = nodes.size();
        nodes.put(node, NodeRecordCodec.encode(id, level, vector));
        budget.entries += nodes.size() - before;
    }

    @Override
    public void writeLinks(int node, int layer, int[] linkArray, int offset, int count) {
        long key = KeyedStateGraphStore.linkKey(node, layer);
        int before = links.size();
        links.put(key, Arrays.copyOfRange(linkArray, offset, offset + count));
        budget.entries += links.size() - before;
    }

    @Override
    public void writeTombstone(int node, long sequence) {
        int before = tombstones.size();
        tombstones.put(node, sequence);
        budget.entries += tombstones.size() - before;
    }

    @Override
    public void removeNode(int node, int level) {
        int before = size();
        nodes.put(node, null);
        for (int layer = 0; layer <= level; layer++) {
            links.put(KeyedStateGraphStore.linkKey(node, layer), null);
        }
        tombstones.put(node, null);
        budget.entries += size() - before;
    }

    @Override
    public GraphHeader readHeader() {
        requireClean();
        return state.readHeader();
    }

    @Override
    public void readNodes(NodeVisitor visitor) {
        requireClean();
        state.readNodes(visitor);
    }

    private void requireClean() {
        if (dirty()) {
            throw new IllegalStateException("graph read from state while " + size() + " changes are unflushed");
        }
    }
}
