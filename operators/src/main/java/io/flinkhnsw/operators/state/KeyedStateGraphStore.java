package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.GraphStore;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.util.FlinkRuntimeException;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A graph's entries in Flink keyed state: the header in a ValueState, and one MapState entry per
 * node record, per (node, layer) link list and per tombstone (layout: docs/ARCHITECTURE.md, "Keyed
 * state layout"). The state handles are bound to the operator's current key, so one instance
 * serves every key. Changes arrive in batches from a per-key {@link BufferedGraphStore}
 * ({@link #apply}); reads rebuild a graph. Keys use Flink's built-in int/long serializers, values
 * are version-tagged bytes ({@link FormatVersions}).
 */
public final class KeyedStateGraphStore {
    public static final String HEADER_STATE = "hnsw-header";
    public static final String NODES_STATE = "hnsw-nodes";
    public static final String LINKS_STATE = "hnsw-links";
    /** Tombstones with their deletion sequence ({@link TombstoneCodec}). */
    public static final String TOMBSTONES_STATE = "hnsw-deletions";
    /** Tombstones as written before deletion sequences (Boolean values); migrated on load. */
    public static final String LEGACY_TOMBSTONES_STATE = "hnsw-tombstones";

    /** Layers are packed into the low byte of the links key; HNSW levels stay far below this. */
    static final int MAX_LAYERS = 256;

    private final ValueState<byte[]> header;
    private final MapState<Integer, byte[]> nodes;
    private final MapState<Long, byte[]> links;
    private final MapState<Integer, byte[]> tombstones;
    private final MapState<Integer, Boolean> legacyTombstones;

    public KeyedStateGraphStore(RuntimeContext ctx) {
        this.header = ctx.getState(new ValueStateDescriptor<>(HEADER_STATE, BytePrimitiveArraySerializer.INSTANCE));
        this.nodes = ctx.getMapState(new MapStateDescriptor<>(NODES_STATE, IntSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
        this.links = ctx.getMapState(new MapStateDescriptor<>(LINKS_STATE, LongSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
        this.tombstones = ctx.getMapState(new MapStateDescriptor<>(TOMBSTONES_STATE, IntSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
        this.legacyTombstones = ctx.getMapState(new MapStateDescriptor<>(LEGACY_TOMBSTONES_STATE,
                IntSerializer.INSTANCE, BooleanSerializer.INSTANCE));
    }

    static long linkKey(int node, int layer) {
        if (layer < 0 || layer >= MAX_LAYERS) {
            throw new IllegalArgumentException("layer " + layer + " outside 0.." + (MAX_LAYERS - 1));
        }
        return ((long) node << 8) | layer;
    }

    /**
     * Writes what a {@link BufferedGraphStore} collected for the current key: node records (null =
     * delete), link lists by {@link #linkKey} (null = delete) and tombstones' deletion sequences (null =
     * delete). Puts go
     * through {@code MapState.putAll}, which RocksDB applies as one write batch per state.
     */
    void apply(GraphHeader h, Map<Integer, byte[]> nodeRecords, Map<Long, int[]> linkLists,
               Map<Integer, Long> tombstoneSequences) {
        try {
            if (h != null) {
                header.update(HeaderCodec.encode(h));
            }
            Map<Integer, byte[]> nodePuts = new HashMap<>(nodeRecords.size() * 2);
            for (Map.Entry<Integer, byte[]> e : nodeRecords.entrySet()) {
                if (e.getValue() == null) {
                    nodes.remove(e.getKey());
                } else {
                    nodePuts.put(e.getKey(), e.getValue());
                }
            }
            if (!nodePuts.isEmpty()) {
                nodes.putAll(nodePuts);
            }
            Map<Long, byte[]> linkPuts = new HashMap<>(linkLists.size() * 2);
            for (Map.Entry<Long, int[]> e : linkLists.entrySet()) {
                int[] list = e.getValue();
                if (list == null) {
                    links.remove(e.getKey());
                } else {
                    linkPuts.put(e.getKey(), LinksCodec.encode(list, 0, list.length));
                }
            }
            if (!linkPuts.isEmpty()) {
                links.putAll(linkPuts);
            }
            Map<Integer, byte[]> deadPuts = new HashMap<>();
            for (Map.Entry<Integer, Long> e : tombstoneSequences.entrySet()) {
                if (e.getValue() != null) {
                    deadPuts.put(e.getKey(), TombstoneCodec.encode(e.getValue()));
                } else {
                    tombstones.remove(e.getKey());
                }
            }
            if (!deadPuts.isEmpty()) {
                tombstones.putAll(deadPuts);
            }
        } catch (Exception e) {
            throw failure("flush buffered graph changes", e);
        }
    }

    /** The header of the current key's graph, or null when it has none. */
    public GraphHeader readHeader() {
        try {
            byte[] bytes = header.value();
            return bytes == null ? null : HeaderCodec.decode(bytes);
        } catch (Exception e) {
            throw failure("read header", e);
        }
    }

    /**
     * Reads links and tombstones into slot-indexed arrays first, then streams node records to the
     * visitor one at a time, so vectors are never held twice. Makes no assumption about iteration
     * order, which differs between state backends. Tombstones of the old Boolean format are
     * migrated first: each gets its node slot as deletion sequence (a v1 header reads with a
     * deletion sequence above every slot, see {@link HeaderCodec}).
     */
    public void readNodes(GraphStore.NodeVisitor visitor) {
        GraphHeader h = readHeader();
        if (h == null) {
            return;
        }
        try {
            int[][][] linksBySlot = new int[h.highWater()][][];
            for (Map.Entry<Long, byte[]> e : links.entries()) {
                long key = e.getKey();
                int node = (int) (key >>> 8);
                int layer = (int) (key & 0xFF);
                int[][] perLayer = linksBySlot[node];
                if (perLayer == null || perLayer.length <= layer) {
                    perLayer = perLayer == null ? new int[layer + 1][] : Arrays.copyOf(perLayer, layer + 1);
                    linksBySlot[node] = perLayer;
                }
                perLayer[layer] = LinksCodec.decode(e.getValue());
            }
            migrateLegacyTombstones();
            long[] deletedAt = new long[h.highWater()];
            Arrays.fill(deletedAt, GraphStore.NOT_DELETED);
            for (Map.Entry<Integer, byte[]> e : tombstones.entries()) {
                deletedAt[e.getKey()] = TombstoneCodec.decode(e.getValue());
            }
            for (Map.Entry<Integer, byte[]> e : nodes.entries()) {
                int node = e.getKey();
                NodeRecordCodec.NodeRecord rec = NodeRecordCodec.decode(e.getValue());
                visitor.node(node, rec.id(), rec.level(), rec.vector(), complete(linksBySlot[node], rec.level()),
                        deletedAt[node]);
                linksBySlot[node] = null;
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw failure("read nodes", e);
        }
    }

    private void migrateLegacyTombstones() throws Exception {
        Map<Integer, byte[]> migrated = new HashMap<>();
        for (Integer node : legacyTombstones.keys()) {
            migrated.put(node, TombstoneCodec.encode(node));
        }
        if (!migrated.isEmpty()) {
            tombstones.putAll(migrated);
            legacyTombstones.clear();
        }
    }

    /** Layers a node never had links written for are empty lists, not nulls. */
    private static int[][] complete(int[][] perLayer, int level) {
        int[][] out = perLayer == null || perLayer.length < level + 1
                ? (perLayer == null ? new int[level + 1][] : Arrays.copyOf(perLayer, level + 1))
                : perLayer;
        for (int layer = 0; layer <= level; layer++) {
            if (out[layer] == null) {
                out[layer] = new int[0];
            }
        }
        return out;
    }

    private static FlinkRuntimeException failure(String what, Exception cause) {
        return new FlinkRuntimeException("keyed state: cannot " + what, cause);
    }
}
