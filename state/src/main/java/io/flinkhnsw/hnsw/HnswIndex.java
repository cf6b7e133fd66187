package io.flinkhnsw.hnsw;

/** API placeholder: being implemented in this session (issue 2). */
public final class HnswIndex {
    public static final int MAX_DIMENSION = 4096;
    public static final int MAX_K = 1000;

    private HnswIndex() { }

    /** A new, empty index that writes through {@code store}. */
    public static HnswIndex create(HnswConfig config, GraphStore store) { throw new UnsupportedOperationException(); }

    /** Rebuilds the index a store holds; null when the store was never written. */
    public static HnswIndex load(GraphStore store) { throw new UnsupportedOperationException(); }

    public HnswConfig config() { throw new UnsupportedOperationException(); }
    /** 0 until the first vector fixes it. */
    public int dimension() { throw new UnsupportedOperationException(); }
    /** Live vectors. */
    public int size() { throw new UnsupportedOperationException(); }
    /** Deleted nodes still in the graph, waiting for consolidation. */
    public int tombstones() { throw new UnsupportedOperationException(); }
    public boolean contains(String id) { throw new UnsupportedOperationException(); }
    /** Inserts or replaces; throws InvalidVectorException and changes nothing on bad input. The array is not retained. */
    public void upsert(String id, float[] vector) { throw new UnsupportedOperationException(); }
    /** False when the id is not in the index. */
    public boolean delete(String id) { throw new UnsupportedOperationException(); }
    /** ef is raised to k when smaller; throws InvalidVectorException on bad input. */
    public SearchResult search(float[] query, int k, int ef) { throw new UnsupportedOperationException(); }
}
