package io.flinkhnsw.hnsw;

/**
 * The small per-index record a {@link GraphStore} keeps beside the nodes: the configuration, the
 * dimension fixed by the first vector, the entry point and its level, the slot high-water mark,
 * live and tombstone counts, the insert sequence number that level draws are derived from, and the
 * deletion sequence number the next tombstone will carry, and the quantizer an int8 graph has
 * learned (null before it has, and for graphs without quantization). Immutable; the graph writes a
 * new one after every change.
 */
public record GraphHeader(
        HnswConfig config,
        int dimension,
        int entryPoint,
        int maxLevel,
        int highWater,
        int liveCount,
        int tombstoneCount,
        long insertSequence,
        long deleteSequence,
        ScalarQuantizer quantizer) {

    /** Entry point value of an index with no nodes. */
    public static final int NO_ENTRY = -1;
}
