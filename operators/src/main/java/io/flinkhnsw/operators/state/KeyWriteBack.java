package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.KeyHeader;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.hnsw.RamUsage;
import io.flinkhnsw.operators.state.KeyedIndexState.Tier;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * One cached key's link to keyed state. Loading: it reads the key's header and backlog from
 * {@link KeyedIndexState}, and its graph only when the index asks for it (as the index's
 * {@link KeyIndex.GraphSource}, which also answers whether the stored graph holds an id with one
 * point lookup); a key of the v1 layout is read whole and marked for rewriting. Afterwards it
 * receives every change of the key's index, as the index's {@link KeyIndex.Listener} and as its
 * graph's {@link GraphStore}, and only <em>marks</em> what changed (a flag per slot, no copies);
 * {@link #flush} reads the latest values back from the index and writes them, so memory stays
 * proportional to the slots changed, however often they changed. For the graph's links and each
 * tier's vectors it also tracks which slots have single entries and which blocks exist
 * ({@link BlockBook}): changed vectors go out as single records until half a block's slots would
 * have one, then the whole block is written and its single records deleted (so appending or churn
 * rewrites each vector at most a few times); a block of links is rewritten when half its slots
 * changed since the last flush, and its changed slots go out as single entries otherwise. A key
 * then loads from about one entry per block plus the singles since its blocks were written.
 * {@link #flush} and the reads act on the operator's current key, which must be this one. Task
 * thread only.
 */
public final class KeyWriteBack implements GraphStore, KeyIndex.Listener, KeyIndex.GraphSource {
    private static final byte NODE = 1;
    private static final byte LINKS = 2;
    private static final byte TOMBSTONE = 4;
    private static final byte FREED = 8;
    private static final byte CHANGED = 1;
    private static final byte REMOVED = 2;
    private static final long FIXED_BYTES = RamUsage.object(10 * RamUsage.REFERENCE + 2 * 4 + 8 + 3);
    // shared until first needed: thousands of small keys cost no empty arrays
    private static final float[] NO_FLOATS = new float[0];
    private static final String[] NO_IDS = new String[0];
    private static final int[] NO_INTS = new int[0];
    private static final byte[] NO_BYTES = new byte[0];
    private static final long[] NO_LONGS = new long[0];

    private final KeyedIndexState state;
    private final LoadObserver observer;
    private TierLayout graph = new TierLayout(Tier.GRAPH);
    /** The graph's link layout; created with the graph's first flush or load. */
    private LinkLayout links;
    private final TierLayout flat = new TierLayout(Tier.FLAT);
    private KeyIndex index;
    private int dimension;
    private boolean keyHeaderDirty;
    private boolean graphHeaderDirty;
    private boolean legacy;
    private long pendingBytes;
    /** Reused for vectors read from the index at flush. */
    private float[] scratch = NO_FLOATS;
    /**
     * Graph nodes deleted or replaced since the last flush, in deletion order, with their ids (their
     * id entries may have to go; null for a v1 tombstone being rewritten) and deletion sequences.
     */
    private String[] tombstonedIds = NO_IDS;
    private int[] tombstonedNodes = NO_INTS;
    private long[] tombstoneSequences = NO_LONGS;
    private int tombstonedCount;

    private KeyWriteBack(KeyedIndexState state, LoadObserver observer) {
        this.state = state;
        this.observer = observer;
    }

    /** Told how much was read from state and how long it took, whenever a key or its graph is loaded. */
    public interface LoadObserver {
        LoadObserver NONE = (graph, vectors, nanos, cpuNanos) -> { };

        /**
         * {@code graph}: the graph was loaded (else the key's header and backlog); {@code vectors}
         * read; {@code nanos} of wall time, {@code cpuNanos} of the thread's CPU time (-1 where the
         * JVM cannot measure it), which on a busy machine is what the load itself cost.
         */
        void loaded(boolean graph, int vectors, long nanos, long cpuNanos);
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The current thread's CPU time in nanoseconds, -1 if unsupported. */
    public static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private static long since(long cpuStart) {
        return cpuStart < 0 ? -1 : cpuNanos() - cpuStart;
    }

    /** The result of opening a key: its index, its write-back, and whether it was stored in the v1 layout. */
    public record Opened(KeyIndex index, KeyWriteBack writeBack, boolean v1) {
    }

    /** A new index for the current key; its header is marked for writing. */
    public static Opened create(KeyedIndexState state, HnswConfig config, int flatLimit, LoadObserver observer) {
        KeyWriteBack wb = new KeyWriteBack(state, observer);
        wb.index = KeyIndex.create(config, flatLimit, wb, wb, wb);
        return new Opened(wb.index, wb, false);
    }

    /**
     * The current key's stored index, or null when it has none. Only its header and backlog are
     * read; its graph is read when the index asks for it ({@link #load()}). A key stored in the v1
     * layout is read whole.
     */
    public static Opened load(KeyedIndexState state, int flatLimit, LoadObserver observer) {
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        KeyWriteBack wb = new KeyWriteBack(state, observer);
        KeyHeader header = state.keyHeader();
        if (header != null) {
            wb.dimension = header.dimension();
            GraphHeader graphHeader = header.graph() ? state.graphHeader() : null;
            wb.index = KeyIndex.load(header, wb::readFlat, graphHeader, flatLimit, wb, wb, wb);
            observer.loaded(false, header.flatCount(), System.nanoTime() - start, since(cpuStart));
            return new Opened(wb.index, wb, false);
        }
        GraphHeader legacyHeader = state.graphHeader();
        if (legacyHeader == null) {
            return null;
        }
        wb.legacy = true;
        HnswIndex graph = HnswIndex.load(wb);
        observer.loaded(true, legacyHeader.highWater(), System.nanoTime() - start, since(cpuStart));
        wb.index = KeyIndex.ofGraph(graph, flatLimit, wb, wb, wb);
        wb.dimension = graph.dimension();
        // rewrite the whole key in the current layout at the next flush, which also drops the v1 entries
        wb.keyHeaderDirty = true;
        wb.graphHeaderDirty = true;
        for (int node = 0; node < wb.index.graphSlots(); node++) {
            if (wb.index.graphSlotOccupied(node)) {
                wb.graph.mark(node, NODE | LINKS);
            }
        }
        for (int i = 0; i < wb.tombstonedCount; i++) {
            wb.graph.mark(wb.tombstonedNodes[i], TOMBSTONE);
        }
        return new Opened(wb.index, wb, true);
    }

    /** True when changes are marked that keyed state does not hold yet. */
    public boolean dirty() {
        return keyHeaderDirty || graphHeaderDirty || graph.dirtyCount > 0 || flat.dirtyCount > 0;
    }

    /** Estimated bytes the next flush writes. */
    public long pendingBytes() {
        return pendingBytes;
    }

    /** Heap bytes of the marks and the layout bookkeeping. */
    public long ramBytesUsed() {
        return FIXED_BYTES + (scratch == NO_FLOATS ? 0 : RamUsage.floats(scratch.length))
                + (tombstonedIds == NO_IDS ? 0 : RamUsage.references(tombstonedIds.length)
                        + RamUsage.ints(tombstonedNodes.length) + RamUsage.longs(tombstoneSequences.length))
                + graph.ramBytesUsed() + flat.ramBytesUsed() + (links == null ? 0 : links.ramBytesUsed());
    }

    private BlockBook links() {
        if (links == null) {
            links = new LinkLayout();
        }
        return links;
    }

    /** The layout bookkeeping of the graph's links. */
    private static final class LinkLayout extends BlockBook {
        @Override
        int blockSlots() {
            return KeyedIndexState.LINK_BLOCK_SLOTS;
        }

        long ramBytesUsed() {
            return RamUsage.object(2 * RamUsage.REFERENCE) + booksBytes();
        }
    }

    /**
     * Writes every marked change to keyed state under the current key, reading the values from the
     * index; returns the entries written or deleted.
     */
    public int flush() {
        if (!dirty()) {
            return 0;
        }
        int written = 0;
        if (legacy) {
            state.clearLegacy();
            legacy = false;
            written++;
        }
        dimension = index.dimension();
        if (scratch.length != dimension) {
            scratch = new float[dimension];
        }
        written += flushGraph();
        written += flushGraphIds();
        written += flushFlat();
        if (graphHeaderDirty) {
            GraphHeader h = index.graphHeader();
            if (h != null) {
                state.putGraphHeader(h);
                written++;
            }
            graphHeaderDirty = false;
        }
        if (keyHeaderDirty) {
            state.putKeyHeader(index.header());
            keyHeaderDirty = false;
            written++;
        }
        pendingBytes = 0;
        scratch = NO_FLOATS;
        return written;
    }

    /** Deleted and replaced ids whose id entry goes: those no live node holds any more. */
    private int flushGraphIds() {
        int written = 0;
        for (int i = 0; i < tombstonedCount; i++) {
            if (tombstonedIds[i] != null && !index.graphContains(tombstonedIds[i])) {
                state.removeGraphId(tombstonedIds[i]);
                written++;
            }
        }
        tombstonedIds = NO_IDS;
        tombstonedNodes = NO_INTS;
        tombstoneSequences = NO_LONGS;
        tombstonedCount = 0;
        return written;
    }

    private int flushGraph() {
        long[] deletions = deletionsByNode();
        int written = 0;
        int[] changed = new int[graph.dirtyCount];
        int changes = 0;
        int[] relinked = new int[graph.dirtyCount];
        int relinks = 0;
        for (int i = 0; i < graph.dirtyCount; i++) {
            int node = graph.dirty[i];
            int f = graph.flags[node];
            graph.flags[node] = 0;
            if (!index.graphSlotOccupied(node)) {
                state.removeTombstone(node);
                written += 1 + graph.dropSingle(node);
                relinked[relinks++] = node;
                continue;
            }
            if ((f & (NODE | LINKS | FREED)) != 0) {
                relinked[relinks++] = node;
            }
            if ((f & (TOMBSTONE | FREED | NODE)) != 0) {
                index.readGraphNode(node, (n, id, level, nodeLinks, tombstone) -> {
                    if ((f & (TOMBSTONE | FREED)) != 0) {
                        writeTombstone(n, tombstone, deletions);
                    }
                    if ((f & (NODE | FREED)) != 0 && !tombstone) {
                        state.putGraphId(id, n);
                    }
                });
                written++;
            }
            if ((f & (NODE | FREED)) != 0) {
                changed[changes++] = node;
            }
        }
        graph.release();
        return written + writeLinks(relinked, relinks)
                + graph.writeVectors(changed, changes, index.graphSlots(), index::graphSlotOccupied);
    }

    /**
     * Writes the links of the changed slots: per block, as the whole block when at least half its
     * slots changed since the last flush (its single entries deleted), else as single entries (a
     * free slot's as {@link NodeLinksCodec#FREED} while its block holds a copy). Unlike vectors, links
     * change all over a graph with every insert, so a block is rewritten only for a burst of changes,
     * never for singles that accumulated: a steady trickle then writes exactly what changed, as
     * single entries, and no flush rewrites many blocks at once.
     */
    private int writeLinks(int[] changed, int count) {
        if (count == 0) {
            return 0;
        }
        int per = links().blockSlots();
        Arrays.sort(changed, 0, count);
        int written = 0;
        for (int from = 0; from < count; ) {
            int block = changed[from] / per;
            int to = from;
            while (to < count && changed[to] / per == block) {
                to++;
            }
            if (2 * (to - from) >= per) {
                written += writeLinkBlock(block, per);
            } else {
                for (int i = from; i < to; i++) {
                    written += writeLinkSingle(changed[i], block);
                }
            }
            from = to;
        }
        return written;
    }

    private int writeLinkSingle(int node, int block) {
        int[][] nodeLinks = index.graphSlotOccupied(node) ? linksOf(node) : null;
        if (nodeLinks != null) {
            state.putNodeLinks(node, NodeLinksCodec.encode(nodeLinks.length - 1, nodeLinks));
        } else if (links.hasBlock(block)) {
            state.putNodeLinks(node, NodeLinksCodec.FREED);
        } else {
            if (links.removeSingle(node)) {
                state.removeNodeLinks(node);
                return 1;
            }
            return 0;
        }
        links.addSingle(node);
        return 1;
    }

    private int writeLinkBlock(int block, int per) {
        int first = block * per;
        int n = Math.max(0, Math.min(per, index.graphSlots() - first));
        boolean any = false;
        for (int i = 0; i < n && !any; i++) {
            any = index.graphSlotOccupied(first + i);
        }
        int[] written = {1};
        if (any) {
            state.putLinkBlock(block, NodeLinksCodec.encodeBlock(n,
                    i -> index.graphSlotOccupied(first + i) ? linksOf(first + i) : null));
        } else if (links.hasBlock(block)) {
            state.removeLinkBlock(block);
        } else {
            written[0] = 0;
        }
        links.blockWritten(block, any, slot -> {
            state.removeNodeLinks(slot);
            written[0]++;
        });
        return written[0];
    }

    /** The links per layer of an occupied graph slot (copies). */
    private int[][] linksOf(int node) {
        int[][][] out = new int[1][][];
        boolean occupied = index.readGraphNode(node, (n, id, level, nodeLinks, tombstone) -> out[0] = nodeLinks);
        assert occupied : "slot " + node + " is free";
        return out[0];
    }

    /** Writes or removes the tombstone entry of an occupied node, by what it is now. */
    private void writeTombstone(int node, boolean tombstone, long[] deletions) {
        if (tombstone) {
            state.putTombstone(node, deletionSequence(node, deletions));
        } else {
            state.removeTombstone(node);
        }
    }

    /** The pending deletions as (node << 32 | position) sorted: a node's latest deletion is its current one. */
    private long[] deletionsByNode() {
        long[] sorted = new long[tombstonedCount];
        for (int i = 0; i < tombstonedCount; i++) {
            sorted[i] = (long) tombstonedNodes[i] << 32 | i;
        }
        Arrays.sort(sorted);
        return sorted;
    }

    private long deletionSequence(int node, long[] deletions) {
        int at = Arrays.binarySearch(deletions, (long) node << 32 | 0xFFFF_FFFFL);
        int latest = -at - 2; // never found: the insertion point follows the node's last entry
        if (latest < 0 || (int) (deletions[latest] >>> 32) != node) {
            throw new IllegalStateException("graph node " + node + " is deleted but its deletion was never recorded");
        }
        return tombstoneSequences[(int) deletions[latest]];
    }

    private int flushFlat() {
        int written = 0;
        int size = index.flatSize();
        int[] changed = new int[flat.dirtyCount];
        int changes = 0;
        boolean shrank = false;
        for (int i = 0; i < flat.dirtyCount; i++) {
            int slot = flat.dirty[i];
            flat.flags[slot] = 0;
            if (slot < size) {
                changed[changes++] = slot;
            } else {
                written += flat.dropSingle(slot);
                shrank = true;
            }
        }
        flat.release();
        if (shrank) {
            written += flat.dropStoredBlocksFrom((size + flat.blockSlots() - 1) / flat.blockSlots());
        }
        return written + flat.writeVectors(changed, changes, size, slot -> slot < size);
    }

    // ---- changes from the index: marks only ------------------------------------------------

    @Override
    public void headerChanged() {
        keyHeaderDirty = true;
    }

    @Override
    public void flatChanged(int slot) {
        flat.mark(slot, CHANGED);
    }

    @Override
    public void flatRemoved(int slot) {
        flat.mark(slot, REMOVED);
    }

    @Override
    public void writeHeader(GraphHeader header) {
        graphHeaderDirty = true;
    }

    @Override
    public void writeNode(int node, String id, int level, float[] vector) {
        graph.mark(node, NODE | LINKS);
    }

    @Override
    public void writeLinks(int node, int layer, int[] links, int offset, int count) {
        graph.mark(node, LINKS);
    }

    @Override
    public void writeTombstone(int node, long sequence) {
        graph.mark(node, TOMBSTONE);
        recordDeletion(index.graphId(node), node, sequence);
    }

    private void recordDeletion(String id, int node, long sequence) {
        if (tombstonedCount == tombstonedIds.length) {
            int grown = Math.max(4, tombstonedCount * 2);
            tombstonedIds = Arrays.copyOf(tombstonedIds, grown);
            tombstonedNodes = Arrays.copyOf(tombstonedNodes, grown);
            tombstoneSequences = Arrays.copyOf(tombstoneSequences, grown);
        }
        tombstonedIds[tombstonedCount] = id;
        tombstonedNodes[tombstonedCount] = node;
        tombstoneSequences[tombstonedCount++] = sequence;
    }

    // ---- the graph while it is not in memory ---------------------------------------------------

    @Override
    public HnswIndex load() {
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        HnswIndex loaded = HnswIndex.load(this);
        if (loaded != null) {
            observer.loaded(true, loaded.size() + loaded.tombstones(), System.nanoTime() - start, since(cpuStart));
        }
        return loaded;
    }

    @Override
    public boolean contains(String id) {
        return state.graphHasId(id);
    }

    /**
     * One vector of the stored graph: its id entry gives the slot, whose single record (if any)
     * wins over its block's copy, as when the graph is loaded. Two or three point lookups.
     */
    @Override
    public float[] vector(String id) {
        requireGraphClean();
        Integer node = state.graphNodeOf(id);
        if (node == null) {
            return null;
        }
        float[] out = new float[dimension];
        byte[] single = state.vector(Tier.GRAPH, node);
        if (single != null) {
            // decodes into out: nothing left for the visitor to do
            VectorCodec.decodeRecord(single, dimension, out, (offset, stored, vector) -> { });
            return out;
        }
        int per = graph.blockSlots();
        byte[] block = state.block(Tier.GRAPH, node / per);
        if (block == null) {
            throw new IllegalStateException("stored graph is inconsistent: no vector for node " + node + " of id " + id);
        }
        float[] scratch = new float[dimension];
        VectorCodec.decodeBlock(block, dimension, scratch, (offset, stored, vector) -> {
            if (offset == node % per) {
                System.arraycopy(vector, 0, out, 0, dimension);
            }
        });
        return out;
    }

    @Override
    public void removeNode(int node, int level) {
        graph.mark(node, FREED);
    }

    // ---- loading ----------------------------------------------------------------------------

    @Override
    public GraphHeader readHeader() {
        requireGraphClean();
        return state.graphHeader();
    }

    @Override
    public void readNodes(NodeVisitor visitor) {
        requireGraphClean();
        GraphHeader h = state.graphHeader();
        if (h == null) {
            return;
        }
        if (legacy) {
            readLegacyNodes(h, visitor);
            return;
        }
        dimension = h.dimension();
        // a graph read again after it was dropped from memory: fresh bookkeeping
        graph = new TierLayout(Tier.GRAPH);
        links = null;
        StoredLinks stored = readLinks(h.highWater());
        long[] deletedAt = deletions(h.highWater(), false);
        int read = graph.readVectors(state, h.highWater(), stored::occupied, (node, id, vector) -> {
            int[][] nodeLinks = stored.links(node);
            visitor.node(node, id, nodeLinks.length - 1, vector, nodeLinks, deletedAt[node]);
        });
        if (read != stored.nodes) {
            throw new IllegalStateException("stored graph is inconsistent: " + stored.nodes + " nodes have links but "
                    + read + " have vectors");
        }
    }

    /**
     * The stored links of a graph's slots: link blocks, overridden by single entries. Kept encoded
     * until the node's vector arrives: decoded lists of every node at once would outlive young
     * collections and be copied into the old generation.
     */
    private StoredLinks readLinks(int slots) {
        int per = links().blockSlots();
        StoredLinks stored = new StoredLinks(slots, per);
        int[] starts = new int[per + 1];
        for (Map.Entry<Integer, byte[]> e : state.linkBlocks()) {
            int block = e.getKey();
            int first = checkSlot(block * per, slots, "link block");
            links.blockPresent(block);
            int count = NodeLinksCodec.indexBlock(e.getValue(), starts);
            if (first + count > slots) {
                throw new IllegalStateException("stored link block " + block + " holds " + count + " slots, past "
                        + (slots - 1));
            }
            stored.blocks[block] = e.getValue();
            System.arraycopy(starts, 0, stored.starts, block * (per + 1), count + 1);
        }
        for (Map.Entry<Integer, byte[]> e : state.nodeLinks()) {
            int slot = checkSlot(e.getKey(), slots, "node links");
            stored.singles[slot] = e.getValue();
            links.addSingle(slot);
        }
        stored.countNodes();
        return stored;
    }

    /** The encoded links of a graph's slots while it loads. */
    private static final class StoredLinks {
        private final int per;
        /** Block b's value, or null. */
        private final byte[][] blocks;
        /** Per block b, its slots' body offsets in blocks[b]: starts[b * (per + 1) + i .. + 1], as {@link NodeLinksCodec#indexBlock} gives them. */
        private final int[] starts;
        /** A slot's single entry, or null. */
        private final byte[][] singles;
        private int nodes;

        StoredLinks(int slots, int per) {
            this.per = per;
            int blockCount = (slots + per - 1) / per;
            blocks = new byte[blockCount][];
            starts = new int[blockCount * (per + 1)];
            singles = new byte[slots][];
        }

        boolean occupied(int slot) {
            byte[] single = singles[slot];
            if (single != null) {
                return !NodeLinksCodec.marksFree(single);
            }
            int at = startAt(slot);
            return blocks[slot / per] != null && starts[at + 1] > starts[at];
        }

        void countNodes() {
            for (int slot = 0; slot < singles.length; slot++) {
                nodes += occupied(slot) ? 1 : 0;
            }
        }

        /** The links per layer of an occupied slot. */
        int[][] links(int slot) {
            byte[] single = singles[slot];
            if (single != null) {
                return NodeLinksCodec.decode(single);
            }
            int at = startAt(slot);
            return NodeLinksCodec.decodeBody(blocks[slot / per], starts[at], starts[at + 1]);
        }

        /** Where {@code slot}'s body offset is in {@link #starts}. */
        private int startAt(int slot) {
            return slot / per * (per + 1) + slot % per;
        }
    }

    private void readFlat(int count, KeyIndex.FlatVisitor visitor) {
        int read = flat.readVectors(state, count, slot -> slot < count, visitor::slot);
        if (read != count) {
            throw new IllegalStateException("stored flat tier is inconsistent: " + read + " of " + count
                    + " vectors found");
        }
    }

    /** The v1 layout: a node record per node, a link list per node layer, tombstones. */
    private void readLegacyNodes(GraphHeader h, NodeVisitor visitor) {
        int[][][] linksBySlot = new int[h.highWater()][][];
        for (Map.Entry<Long, byte[]> e : state.legacyLinks()) {
            long key = e.getKey();
            int node = checkSlot((int) (key >>> 8), h.highWater(), "v1 links");
            int layer = (int) (key & 0xFF);
            int[][] perLayer = linksBySlot[node];
            if (perLayer == null || perLayer.length <= layer) {
                perLayer = perLayer == null ? new int[layer + 1][] : Arrays.copyOf(perLayer, layer + 1);
                linksBySlot[node] = perLayer;
            }
            perLayer[layer] = LinksCodec.decode(e.getValue());
        }
        long[] deletedAt = deletions(h.highWater(), true);
        for (Map.Entry<Integer, byte[]> e : state.legacyNodes()) {
            int node = checkSlot(e.getKey(), h.highWater(), "v1 node");
            NodeRecordCodec.NodeRecord rec = NodeRecordCodec.decode(e.getValue());
            int[][] perLayer = linksBySlot[node] == null ? new int[0][] : linksBySlot[node];
            int[][] links = new int[rec.level() + 1][];
            for (int layer = 0; layer <= rec.level(); layer++) {
                links[layer] = layer < perLayer.length && perLayer[layer] != null ? perLayer[layer] : new int[0];
            }
            visitor.node(node, rec.id(), rec.level(), rec.vector(), links, deletedAt[node]);
            if (deletedAt[node] != NOT_DELETED) {
                recordDeletion(null, node, deletedAt[node]); // rewritten in the current layout at the next flush
            }
            linksBySlot[node] = null;
        }
    }

    /**
     * The deletion sequence of every slot's tombstone, {@link #NOT_DELETED} for the others. With
     * {@code legacy}, also the Boolean tombstones from before deletion sequences, each with its slot
     * as sequence: below the deletion sequence a v1 header reads with ({@link HeaderCodec}), in slot
     * order, as #9's migration gave them.
     */
    private long[] deletions(int slots, boolean legacy) {
        long[] deletedAt = new long[slots];
        Arrays.fill(deletedAt, NOT_DELETED);
        for (Map.Entry<Integer, byte[]> e : state.tombstones()) {
            deletedAt[checkSlot(e.getKey(), slots, "tombstone")] = TombstoneCodec.decode(e.getValue());
        }
        if (legacy) {
            for (int node : state.legacyTombstones()) {
                deletedAt[checkSlot(node, slots, "v1 tombstone")] = node;
            }
        }
        return deletedAt;
    }

    private static int checkSlot(int slot, int slots, String what) {
        if (slot < 0 || slot >= slots) {
            throw new IllegalStateException("stored " + what + " entry for slot " + slot + " outside 0.." + (slots - 1));
        }
        return slot;
    }

    /** The graph is read from state only when none of it is in memory, so nothing of it can be unflushed. */
    private void requireGraphClean() {
        if (graphHeaderDirty || graph.dirtyCount > 0) {
            throw new IllegalStateException("graph read from state while its changes are unflushed");
        }
    }

    /** Receives a stored vector with its slot and id; the array is only valid during the call. */
    private interface VectorVisitor {
        void vector(int slot, String id, float[] vector);
    }

    /** The marks and the vector layout bookkeeping of one tier. */
    private final class TierLayout extends BlockBook {
        private final Tier tier;
        private int blockSlots;
        private int[] dirty = NO_INTS;
        private int dirtyCount;
        private byte[] flags = NO_BYTES;

        TierLayout(Tier tier) {
            this.tier = tier;
        }

        void mark(int slot, int kind) {
            if (slot >= flags.length) {
                flags = Arrays.copyOf(flags, Math.max(slot + 1, flags.length + (flags.length >> 1) + 8));
            }
            int before = flags[slot];
            if (before == 0) {
                if (dirtyCount == dirty.length) {
                    dirty = Arrays.copyOf(dirty, Math.max(8, dirtyCount * 2));
                }
                dirty[dirtyCount++] = slot;
            }
            int added = kind & ~before;
            flags[slot] = (byte) (before | kind);
            if ((added & (tier == Tier.GRAPH ? NODE : CHANGED)) != 0) {
                pendingBytes += 4L * Math.max(dimension, index == null ? 0 : index.dimension()) + 24;
            }
            if (tier == Tier.GRAPH && (added & LINKS) != 0) {
                pendingBytes += 6L * (index == null ? 16 : index.config().m()) + 8;
            }
            if ((added & ~(NODE | LINKS)) != 0) {
                pendingBytes += 16;
            }
        }

        /** Marks exist only while there are changes: a key at rest keeps no mark arrays. */
        void release() {
            dirtyCount = 0;
            dirty = NO_INTS;
            flags = NO_BYTES;
        }

        long ramBytesUsed() {
            return RamUsage.object(8 * RamUsage.REFERENCE) + (dirty == NO_INTS ? 0 : RamUsage.ints(dirty.length))
                    + (flags == NO_BYTES ? 0 : RamUsage.bytes(flags.length)) + booksBytes();
        }

        @Override
        int blockSlots() {
            if (blockSlots == 0) {
                assert dimension > 0 : "block size asked before the key has a dimension";
                blockSlots = KeyedIndexState.blockSlots(dimension);
            }
            return blockSlots;
        }

        /** Deletes the single record of {@code slot} if it has one; returns the entries deleted. */
        int dropSingle(int slot) {
            if (!removeSingle(slot)) {
                return 0;
            }
            state.removeVector(tier, slot);
            return 1;
        }

        /** Deletes the blocks from {@code first} on (a flat tier that shrank below them). */
        int dropStoredBlocksFrom(int first) {
            int[] dropped = {0};
            dropBlocksFrom(first, b -> {
                state.removeBlock(tier, b);
                dropped[0]++;
            });
            return dropped[0];
        }

        /**
         * Writes the vectors of the changed slots: per block, as single records, or, when half the
         * block's slots would then have one, as the whole block (its single records deleted).
         */
        int writeVectors(int[] changed, int count, int slots, IntPredicate occupied) {
            if (count == 0) {
                return 0;
            }
            int per = blockSlots();
            Arrays.sort(changed, 0, count);
            int written = 0;
            for (int from = 0; from < count; ) {
                int block = changed[from] / per;
                int to = from;
                int fresh = 0;
                while (to < count && changed[to] / per == block) {
                    fresh += hasSingle(changed[to]) ? 0 : 1;
                    to++;
                }
                if (2 * (singlesIn(block) + fresh) >= per) {
                    written += writeBlock(block, per, slots, occupied);
                } else {
                    for (int i = from; i < to; i++) {
                        int slot = changed[i];
                        state.putVector(tier, slot, VectorCodec.encodeRecord(idOf(slot), vectorOf(slot), 0, dimension));
                        addSingle(slot);
                        written++;
                    }
                }
                from = to;
            }
            return written;
        }

        private int writeBlock(int block, int per, int slots, IntPredicate occupied) {
            int first = block * per;
            int n = Math.min(per, slots - first);
            String[] ids = new String[per];
            float[] vectors = new float[per * dimension];
            for (int i = 0; i < n; i++) {
                if (occupied.test(first + i)) {
                    ids[i] = idOf(first + i);
                    System.arraycopy(vectorOf(first + i), 0, vectors, i * dimension, dimension);
                }
            }
            state.putBlock(tier, block, VectorCodec.encodeBlock(ids, vectors, dimension));
            int[] written = {1};
            blockWritten(block, true, slot -> {
                state.removeVector(tier, slot);
                written[0]++;
            });
            return written[0];
        }

        private String idOf(int slot) {
            return tier == Tier.GRAPH ? index.graphId(slot) : index.flatId(slot);
        }

        private float[] vectorOf(int slot) {
            if (tier == Tier.GRAPH) {
                index.graphVector(slot, scratch);
            } else {
                index.flatVector(slot, scratch);
            }
            return scratch;
        }

        /**
         * Reads the tier's stored vectors of the slots {@code occupied} accepts, a single record
         * winning over its block's copy, and records which singles and blocks exist; returns how
         * many vectors it handed to the visitor.
         */
        int readVectors(KeyedIndexState from, int slots, IntPredicate occupied, VectorVisitor visitor) {
            int per = blockSlots();
            float[] buffer = new float[dimension];
            Map<Integer, byte[]> single = new HashMap<>();
            for (Map.Entry<Integer, byte[]> e : from.vectors(tier)) {
                single.put(e.getKey(), e.getValue());
                addSingle(e.getKey());
            }
            int[] read = {0};
            for (Map.Entry<Integer, byte[]> e : from.blocks(tier)) {
                int first = e.getKey() * per;
                blockPresent(e.getKey());
                VectorCodec.decodeBlock(e.getValue(), dimension, buffer, (offset, id, vector) -> {
                    int slot = first + offset;
                    if (slot < slots && occupied.test(slot) && !single.containsKey(slot)) {
                        visitor.vector(slot, id, vector);
                        read[0]++;
                    }
                });
            }
            for (Map.Entry<Integer, byte[]> e : single.entrySet()) {
                int slot = e.getKey();
                if (slot < slots && occupied.test(slot)) {
                    VectorCodec.decodeRecord(e.getValue(), dimension, buffer, (offset, id, vector) ->
                            visitor.vector(slot, id, vector));
                    read[0]++;
                }
            }
            return read[0];
        }
    }
}
