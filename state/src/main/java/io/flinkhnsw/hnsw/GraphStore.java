package io.flinkhnsw.hnsw;

/**
 * Where an index keeps its nodes between events. {@link HnswIndex} works on in-memory arrays and
 * writes every change through this interface, one entry per node record, per node layer's links
 * and per tombstone, so a store backed by Flink keyed state (MapState on RocksDB) holds exactly what
 * the in-memory graph holds after every event, and an index can be rebuilt from it with
 * {@link HnswIndex#load}. Implementations must copy arrays they keep: callers reuse them.
 */
public interface GraphStore {

    /** The deletion sequence a {@link NodeVisitor} receives for a node that is not deleted. */
    long NOT_DELETED = -1L;

    /** A store that keeps nothing: for purely in-memory indexes (benchmarks, tests). */
    GraphStore NONE = new GraphStore() {
        @Override public void writeHeader(GraphHeader header) { }
        @Override public void writeNode(int node, String id, int level, float[] vector) { }
        @Override public void writeLinks(int node, int layer, int[] links, int offset, int count) { }
        @Override public void writeTombstone(int node, long sequence) { }
        @Override public void removeNode(int node, int level) { }
        @Override public GraphHeader readHeader() { return null; }
        @Override public void readNodes(NodeVisitor visitor) { }
    };

    void writeHeader(GraphHeader header);

    /** A new node: its external id, top layer and stored (already normalised) vector. Written once. */
    void writeNode(int node, String id, int level, float[] vector);

    /** The whole link list of {@code node} on {@code layer}: {@code links[offset .. offset+count)}. */
    void writeLinks(int node, int layer, int[] links, int offset, int count);

    /**
     * Marks {@code node} deleted: it stays in the graph for traversal until its repair is done.
     * {@code sequence} orders deletions (it only grows), so loading rebuilds the repair queue in order.
     */
    void writeTombstone(int node, long sequence);

    /** Forgets {@code node} entirely (record, links on layers 0..level, tombstone): its slot is free. */
    void removeNode(int node, int level);

    /** The last header written, or null for an index that was never written. */
    GraphHeader readHeader();

    /** Calls the visitor once for every stored node, in any order. */
    void readNodes(NodeVisitor visitor);

    /** Receives stored nodes when an index is loaded. */
    interface NodeVisitor {
        /**
         * @param links links[layer] is the node's link list on that layer, for layers 0..level
         * @param deletedAt the sequence the node's tombstone was written with, or {@link #NOT_DELETED}
         */
        void node(int node, String id, int level, float[] vector, int[][] links, long deletedAt);
    }
}
