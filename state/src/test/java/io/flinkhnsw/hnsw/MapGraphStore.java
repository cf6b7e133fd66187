package io.flinkhnsw.hnsw;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** A {@link GraphStore} in hash maps, one entry per record as a keyed-state store keeps them; for tests. */
final class MapGraphStore implements GraphStore {
    private GraphHeader header;
    final Map<Integer, Object[]> nodes = new TreeMap<>();
    final Map<Long, int[]> links = new HashMap<>();
    final Map<Integer, Long> tombstones = new HashMap<>();
    int writes;

    @Override
    public void writeHeader(GraphHeader header) {
        this.header = header;
    }

    @Override
    public void writeNode(int node, String id, int level, float[] vector) {
        writes++;
        nodes.put(node, new Object[] {id, level, vector.clone()});
    }

    @Override
    public void writeLinks(int node, int layer, int[] src, int offset, int count) {
        writes++;
        links.put(key(node, layer), Arrays.copyOfRange(src, offset, offset + count));
    }

    @Override
    public void writeTombstone(int node, long sequence) {
        writes++;
        tombstones.put(node, sequence);
    }

    @Override
    public void removeNode(int node, int level) {
        writes++;
        nodes.remove(node);
        tombstones.remove(node);
        for (int layer = 0; layer <= level; layer++) {
            links.remove(key(node, layer));
        }
    }

    /** Becomes a copy of what {@code other} holds. */
    void copyFrom(MapGraphStore other) {
        header = other.header;
        nodes.clear();
        nodes.putAll(other.nodes);
        links.clear();
        links.putAll(other.links);
        tombstones.clear();
        tombstones.putAll(other.tombstones);
    }

    @Override
    public GraphHeader readHeader() {
        return header;
    }

    @Override
    public void readNodes(NodeVisitor visitor) {
        for (Map.Entry<Integer, Object[]> e : nodes.entrySet()) {
            int node = e.getKey();
            int level = (Integer) e.getValue()[1];
            int[][] nodeLinks = new int[level + 1][];
            for (int layer = 0; layer <= level; layer++) {
                nodeLinks[layer] = links.getOrDefault(key(node, layer), new int[0]);
            }
            visitor.node(node, (String) e.getValue()[0], level, (float[]) e.getValue()[2], nodeLinks,
                    tombstones.getOrDefault(node, NOT_DELETED));
        }
    }

    private static long key(int node, int layer) {
        return ((long) node << 8) | layer;
    }
}
