package io.flinkhnsw.hnsw;

/**
 * Shallow sizes of heap objects for memory accounting, in the style of Lucene's RamUsageEstimator:
 * object headers and references as a 64-bit HotSpot JVM lays them out with compressed references
 * (heaps below 32 GB, the default), every object rounded up to 8 bytes. Estimates, not
 * measurements: they are O(1) arithmetic on capacities so an index can keep its size current on
 * every change.
 */
public final class RamUsage {
    public static final int OBJECT_HEADER = 12;
    public static final int ARRAY_HEADER = 16;
    public static final int REFERENCE = 4;
    /** A String: object (header, hash, coder, flags, value reference) plus its byte[] of Latin-1 or UTF-16 chars. */
    private static final long STRING_SHALLOW = align(OBJECT_HEADER + 4 + 1 + 1 + REFERENCE);

    private RamUsage() {
    }

    public static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }

    public static long floats(long length) {
        return align(ARRAY_HEADER + 4 * length);
    }

    public static long ints(long length) {
        return align(ARRAY_HEADER + 4 * length);
    }

    public static long longs(long length) {
        return align(ARRAY_HEADER + 8 * length);
    }

    public static long bytes(long length) {
        return align(ARRAY_HEADER + length);
    }

    public static long references(long length) {
        return align(ARRAY_HEADER + (long) REFERENCE * length);
    }

    /** A String of this many chars, assuming Latin-1 (one byte per char), as ids and keys usually are. */
    public static long string(int chars) {
        return STRING_SHALLOW + bytes(chars);
    }

    /** An object with the given bytes of fields after its header. */
    public static long object(int fieldBytes) {
        return align(OBJECT_HEADER + fieldBytes);
    }
}
