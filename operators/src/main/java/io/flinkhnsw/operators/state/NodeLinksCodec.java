package io.flinkhnsw.operators.state;

/**
 * Encodes one graph node's level and its link lists on every layer as one keyed-state value: the
 * entry an insert rewrites for each neighbour it links to, so it holds nothing else (the id and
 * vector live in vector records, {@link VectorCodec}). One entry per node, not per node and layer,
 * so loading a graph reads one entry per node. Order is kept exactly, as the graph depends on it.
 * Layout v2: version, level (varint), then per layer 0..level the count and the links (varints).
 */
public final class NodeLinksCodec {
    private NodeLinksCodec() {
    }

    public static byte[] encode(int level, int[][] links) {
        int size = 1 + Varint.size(level);
        for (int layer = 0; layer <= level; layer++) {
            size += Varint.size(links[layer].length);
            for (int link : links[layer]) {
                size += Varint.size(link);
            }
        }
        byte[] out = new byte[size];
        out[0] = FormatVersions.NODE_LINKS_V2;
        int pos = Varint.put(out, 1, level);
        for (int layer = 0; layer <= level; layer++) {
            pos = Varint.put(out, pos, links[layer].length);
            for (int link : links[layer]) {
                pos = Varint.put(out, pos, link);
            }
        }
        return out;
    }

    /** The node's links per layer; the level is {@code result.length - 1}. */
    public static int[][] decode(byte[] bytes) {
        if (bytes[0] != FormatVersions.NODE_LINKS_V2) {
            throw FormatVersions.unsupported("node links", bytes[0]);
        }
        int[] pos = {1};
        int level = Varint.get(bytes, pos);
        int[][] links = new int[level + 1][];
        for (int layer = 0; layer <= level; layer++) {
            int[] list = new int[Varint.get(bytes, pos)];
            for (int i = 0; i < list.length; i++) {
                list[i] = Varint.get(bytes, pos);
            }
            links[layer] = list;
        }
        if (pos[0] != bytes.length) {
            throw new IllegalStateException("node links value has " + (bytes.length - pos[0]) + " trailing bytes");
        }
        return links;
    }
}
