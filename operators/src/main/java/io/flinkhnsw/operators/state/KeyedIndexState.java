package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.KeyHeader;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.util.FlinkRuntimeException;

import java.util.Map;

/**
 * The keyed state of the index operator, one set of handles for all keys (Flink binds them to the
 * current key): the key header; for a graph its header, its nodes' levels and links, its tombstones
 * with their deletion sequences, and its live ids (so a write to a key whose graph is not in memory
 * can tell whether an id is in it); the vectors of each tier (graph, and backlog); and the writes
 * logged while the key was out of memory, applied at its next load. Links and vectors are stored
 * the same way: blocks of consecutive slots ({@link #LINK_BLOCK_SLOTS}, {@link #blockSlots}) plus
 * single-slot entries that override a block's copy of their slot, so a key loads from about one
 * entry per block while a change to one slot writes one entry ({@link BlockBook}). Graphs written
 * before link blocks have single link entries only, which is still a valid state. Keys with only a
 * graph header are from the v1 layout (one entry per node record and per node layer's links;
 * tombstones with deletion sequences, or, before those, Boolean tombstones), read through the
 * legacy handles. Values are version-tagged bytes ({@link FormatVersions}); keys are Flink's int
 * serializer, so RocksDB keeps each key's entries in slot order. Every method acts on the current key.
 */
public final class KeyedIndexState {
    public static final String KEY_STATE = "hnsw-key";
    public static final String GRAPH_HEADER_STATE = "hnsw-header";
    /** Single link entries ({@link NodeLinksCodec}), overriding their slot's copy in a link block. */
    public static final String NODE_LINKS_STATE = "hnsw-node-links";
    public static final String LINK_BLOCKS_STATE = "hnsw-link-blocks";
    /**
     * Slots per link block: a block holds 64 nodes' links (about 6 KB at M = 16), read as one entry.
     */
    public static final int LINK_BLOCK_SLOTS = 64;
    /** Tombstones with their deletion sequence ({@link TombstoneCodec}). */
    public static final String TOMBSTONES_STATE = "hnsw-deletions";
    public static final String GRAPH_BLOCKS_STATE = "hnsw-vector-blocks";
    public static final String GRAPH_VECTORS_STATE = "hnsw-vectors";
    public static final String FLAT_BLOCKS_STATE = "hnsw-flat-blocks";
    public static final String FLAT_VECTORS_STATE = "hnsw-flat-vectors";
    public static final String GRAPH_IDS_STATE = "hnsw-graph-ids";
    /** Writes logged for a key whose working copy is not in memory, by sequence ({@link PendingWriteCodec}). */
    public static final String PENDING_WRITES_STATE = "hnsw-pending-writes";
    public static final String PENDING_COUNT_STATE = "hnsw-pending-count";
    public static final String LEGACY_NODES_STATE = "hnsw-nodes";
    public static final String LEGACY_LINKS_STATE = "hnsw-links";
    /** Tombstones as written before deletion sequences (Boolean values): v1 only. */
    public static final String LEGACY_TOMBSTONES_STATE = "hnsw-tombstones";

    /** The two vector stores of a key. */
    public enum Tier { GRAPH, FLAT }

    private final ValueState<byte[]> key;
    private final ValueState<byte[]> graphHeader;
    private final MapState<Integer, byte[]> nodeLinks;
    private final MapState<Integer, byte[]> linkBlocks;
    private final MapState<Integer, byte[]> tombstones;
    private final MapState<Integer, byte[]> graphBlocks;
    private final MapState<Integer, byte[]> graphVectors;
    private final MapState<Integer, byte[]> flatBlocks;
    private final MapState<Integer, byte[]> flatVectors;
    private final MapState<String, Integer> graphIds;
    private final MapState<Integer, byte[]> pendingWrites;
    private final ValueState<Integer> pendingCount;
    private final MapState<Integer, byte[]> legacyNodes;
    private final MapState<Long, byte[]> legacyLinks;
    private final MapState<Integer, Boolean> legacyTombstones;

    public KeyedIndexState(RuntimeContext ctx) {
        key = ctx.getState(new ValueStateDescriptor<>(KEY_STATE, BytePrimitiveArraySerializer.INSTANCE));
        graphHeader = ctx.getState(new ValueStateDescriptor<>(GRAPH_HEADER_STATE, BytePrimitiveArraySerializer.INSTANCE));
        nodeLinks = bytesBySlot(ctx, NODE_LINKS_STATE);
        linkBlocks = bytesBySlot(ctx, LINK_BLOCKS_STATE);
        tombstones = bytesBySlot(ctx, TOMBSTONES_STATE);
        graphBlocks = bytesBySlot(ctx, GRAPH_BLOCKS_STATE);
        graphVectors = bytesBySlot(ctx, GRAPH_VECTORS_STATE);
        flatBlocks = bytesBySlot(ctx, FLAT_BLOCKS_STATE);
        flatVectors = bytesBySlot(ctx, FLAT_VECTORS_STATE);
        graphIds = ctx.getMapState(new MapStateDescriptor<>(GRAPH_IDS_STATE, StringSerializer.INSTANCE,
                IntSerializer.INSTANCE));
        pendingWrites = bytesBySlot(ctx, PENDING_WRITES_STATE);
        pendingCount = ctx.getState(new ValueStateDescriptor<>(PENDING_COUNT_STATE, IntSerializer.INSTANCE));
        legacyNodes = bytesBySlot(ctx, LEGACY_NODES_STATE);
        legacyLinks = ctx.getMapState(new MapStateDescriptor<>(LEGACY_LINKS_STATE, LongSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
        legacyTombstones = ctx.getMapState(new MapStateDescriptor<>(LEGACY_TOMBSTONES_STATE, IntSerializer.INSTANCE,
                BooleanSerializer.INSTANCE));
    }

    private static MapState<Integer, byte[]> bytesBySlot(RuntimeContext ctx, String name) {
        return ctx.getMapState(new MapStateDescriptor<>(name, IntSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
    }

    /**
     * Slots per vector block for a dimension: about 32 KB of floats per block, between 8 and 128
     * slots. Part of the v1 block layout: block b holds slots [b * blockSlots, (b + 1) * blockSlots).
     */
    public static int blockSlots(int dimension) {
        return Math.max(8, Math.min(128, 8192 / Math.max(1, dimension)));
    }

    /** The key header, or null for a key without one (new, or stored in the v1 layout). */
    public KeyHeader keyHeader() {
        return call("read key header", () -> {
            byte[] bytes = key.value();
            return bytes == null ? null : KeyHeaderCodec.decode(bytes);
        });
    }

    public GraphHeader graphHeader() {
        return call("read graph header", () -> {
            byte[] bytes = graphHeader.value();
            return bytes == null ? null : HeaderCodec.decode(bytes);
        });
    }

    void putKeyHeader(KeyHeader h) {
        run("write key header", () -> key.update(KeyHeaderCodec.encode(h)));
    }

    void putGraphHeader(GraphHeader h) {
        run("write graph header", () -> graphHeader.update(HeaderCodec.encode(h)));
    }

    void putNodeLinks(int node, byte[] value) {
        run("write links of node " + node, () -> nodeLinks.put(node, value));
    }

    void removeNodeLinks(int node) {
        run("remove links of node " + node, () -> nodeLinks.remove(node));
    }

    void putLinkBlock(int block, byte[] value) {
        run("write link block " + block, () -> linkBlocks.put(block, value));
    }

    void removeLinkBlock(int block) {
        run("remove link block " + block, () -> linkBlocks.remove(block));
    }

    void putTombstone(int node, long deleteSequence) {
        run("write tombstone " + node, () -> tombstones.put(node, TombstoneCodec.encode(deleteSequence)));
    }

    void removeTombstone(int node) {
        run("remove tombstone " + node, () -> tombstones.remove(node));
    }

    void putBlock(Tier tier, int block, byte[] value) {
        run("write vector block " + block, () -> blocksOf(tier).put(block, value));
    }

    void removeBlock(Tier tier, int block) {
        run("remove vector block " + block, () -> blocksOf(tier).remove(block));
    }

    void putVector(Tier tier, int slot, byte[] value) {
        run("write vector " + slot, () -> vectorsOf(tier).put(slot, value));
    }

    void removeVector(Tier tier, int slot) {
        run("remove vector " + slot, () -> vectorsOf(tier).remove(slot));
    }

    /** Whether the key's stored graph has a live node under {@code id}: one point lookup. */
    public boolean graphHasId(String id) {
        return call("read graph id " + id, () -> graphIds.contains(id));
    }

    /** The slot of the stored graph's live node under {@code id}, or null: one point lookup. */
    Integer graphNodeOf(String id) {
        return call("read graph id " + id, () -> graphIds.get(id));
    }

    /** The single vector record of {@code slot}, or null. */
    byte[] vector(Tier tier, int slot) {
        return call("read vector " + slot, () -> vectorsOf(tier).get(slot));
    }

    /** Vector block {@code block}, or null. */
    byte[] block(Tier tier, int block) {
        return call("read vector block " + block, () -> blocksOf(tier).get(block));
    }

    void putGraphId(String id, int node) {
        run("write graph id " + id, () -> graphIds.put(id, node));
    }

    void removeGraphId(String id) {
        run("remove graph id " + id, () -> graphIds.remove(id));
    }

    /** How many writes are logged for the key, waiting for its next load. */
    public int pendingWrites() {
        return call("read pending write count", () -> {
            Integer n = pendingCount.value();
            return n == null ? 0 : n;
        });
    }

    /**
     * Logs a write ({@link PendingWriteCodec}) after the {@code logged} writes already logged: the
     * caller has just read {@link #pendingWrites()}, so the count is not read again.
     */
    public void appendPendingWrite(int logged, byte[] write) {
        assert logged == pendingWrites() : "pending write count changed: " + logged;
        run("log a pending write", () -> {
            pendingWrites.put(logged, write);
            pendingCount.update(logged + 1);
        });
    }

    /** Hands the logged writes to {@code visitor} in the order they were logged; they stay logged. */
    public void forEachPendingWrite(PendingWriteCodec.Visitor visitor) {
        int n = pendingWrites();
        byte[][] writes = new byte[n][];
        // backends iterate in their own order (the heap backend in hash order): order by sequence
        for (Map.Entry<Integer, byte[]> e : call("read pending writes", pendingWrites::entries)) {
            writes[e.getKey()] = e.getValue();
        }
        for (int i = 0; i < n; i++) {
            if (writes[i] == null) {
                throw new IllegalStateException("pending write " + i + " of " + n + " is missing");
            }
            PendingWriteCodec.decode(writes[i], visitor);
        }
    }

    public void clearPendingWrites() {
        run("clear pending writes", () -> {
            pendingWrites.clear();
            pendingCount.clear();
        });
    }

    /** Forgets the key's v1 node records, link lists and Boolean tombstones, once it has been rewritten in the current layout. */
    void clearLegacy() {
        run("clear v1 graph entries", () -> {
            legacyNodes.clear();
            legacyLinks.clear();
            legacyTombstones.clear();
        });
    }

    /** Forgets everything the index keeps for the current key (payloads are {@link PayloadState}'s). */
    public void clear() {
        run("clear the key's index", () -> {
            key.clear();
            graphHeader.clear();
            nodeLinks.clear();
            linkBlocks.clear();
            tombstones.clear();
            graphBlocks.clear();
            graphVectors.clear();
            flatBlocks.clear();
            flatVectors.clear();
            graphIds.clear();
            pendingWrites.clear();
            pendingCount.clear();
            legacyNodes.clear();
            legacyLinks.clear();
            legacyTombstones.clear();
        });
    }

    Iterable<Map.Entry<Integer, byte[]>> nodeLinks() {
        return call("read node links", nodeLinks::entries);
    }

    Iterable<Map.Entry<Integer, byte[]>> linkBlocks() {
        return call("read link blocks", linkBlocks::entries);
    }

    /** Tombstones by slot, values as {@link TombstoneCodec} encodes them. */
    Iterable<Map.Entry<Integer, byte[]>> tombstones() {
        return call("read tombstones", tombstones::entries);
    }

    Iterable<Map.Entry<Integer, byte[]>> blocks(Tier tier) {
        return call("read vector blocks", blocksOf(tier)::entries);
    }

    Iterable<Map.Entry<Integer, byte[]>> vectors(Tier tier) {
        return call("read vectors", vectorsOf(tier)::entries);
    }

    Iterable<Map.Entry<Integer, byte[]>> legacyNodes() {
        return call("read v1 node records", legacyNodes::entries);
    }

    Iterable<Map.Entry<Long, byte[]>> legacyLinks() {
        return call("read v1 links", legacyLinks::entries);
    }

    /** Slots of the tombstones written before deletion sequences. */
    Iterable<Integer> legacyTombstones() {
        return call("read v1 tombstones", legacyTombstones::keys);
    }

    private MapState<Integer, byte[]> blocksOf(Tier tier) {
        return tier == Tier.GRAPH ? graphBlocks : flatBlocks;
    }

    private MapState<Integer, byte[]> vectorsOf(Tier tier) {
        return tier == Tier.GRAPH ? graphVectors : flatVectors;
    }

    /** A state access that may throw. */
    private interface StateCall<T> {
        T call() throws Exception;
    }

    private interface StateRun {
        void run() throws Exception;
    }

    private static <T> T call(String what, StateCall<T> c) {
        try {
            return c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot " + what, e);
        }
    }

    private static void run(String what, StateRun r) {
        call(what, () -> {
            r.run();
            return null;
        });
    }
}
