package io.flinkhnsw.operators.state;

import java.util.function.IntFunction;

/**
 * Encodes graph nodes' levels and link lists on every layer, the values an insert rewrites for each
 * neighbour it links to (ids and vectors live in vector records, {@link VectorCodec}). Order is kept
 * exactly, as the graph depends on it. A node's body is its level then, per layer 0..level, the
 * count and the links (varints). Two values hold bodies:
 * <ul>
 *   <li>a <em>single</em> (v2): version, then one node's body; a single of the version byte alone
 *       marks a free slot whose block still holds a copy of the node that was there;</li>
 *   <li>a <em>block</em> (v1) of consecutive slots: version, slot count, each slot's body length
 *       (0: free slot), then the bodies, so a loader finds any slot's links without decoding the others.</li>
 * </ul>
 */
public final class NodeLinksCodec {
    /** The single of a free slot: its block's copy is stale. */
    static final byte[] FREED = {FormatVersions.NODE_LINKS_V2};

    private NodeLinksCodec() {
    }

    public static byte[] encode(int level, int[][] links) {
        byte[] out = new byte[1 + bodySize(level, links)];
        out[0] = FormatVersions.NODE_LINKS_V2;
        putBody(out, 1, level, links);
        return out;
    }

    /** The node's links per layer (the level is {@code result.length - 1}), or null for {@link #FREED}. */
    public static int[][] decode(byte[] bytes) {
        if (bytes[0] != FormatVersions.NODE_LINKS_V2) {
            throw FormatVersions.unsupported("node links", bytes[0]);
        }
        return marksFree(bytes) ? null : decodeBody(bytes, 1, bytes.length);
    }

    /** Whether a single is {@link #FREED}. */
    static boolean marksFree(byte[] single) {
        return single.length == 1;
    }

    /** A block of {@code count} slots; {@code linksOf} gives a slot's links per layer, null for a free slot. */
    public static byte[] encodeBlock(int count, IntFunction<int[][]> linksOf) {
        int[][][] links = new int[count][][];
        int[] sizes = new int[count];
        int size = 1 + Varint.size(count);
        for (int i = 0; i < count; i++) {
            links[i] = linksOf.apply(i);
            sizes[i] = links[i] == null ? 0 : bodySize(links[i].length - 1, links[i]);
            size += Varint.size(sizes[i]) + sizes[i];
        }
        byte[] out = new byte[size];
        out[0] = FormatVersions.LINK_BLOCK_V1;
        int pos = Varint.put(out, 1, count);
        for (int i = 0; i < count; i++) {
            pos = Varint.put(out, pos, sizes[i]);
        }
        for (int i = 0; i < count; i++) {
            if (links[i] != null) {
                pos = putBody(out, pos, links[i].length - 1, links[i]);
            }
        }
        assert pos == size : pos + " of " + size;
        return out;
    }

    /**
     * Indexes a block: {@code starts[i]} becomes the offset of slot i's body, with its end at
     * {@code starts[i + 1]} (equal for a free slot); returns the block's slot count. {@code starts}
     * must hold count + 1 entries.
     */
    public static int indexBlock(byte[] block, int[] starts) {
        if (block[0] != FormatVersions.LINK_BLOCK_V1) {
            throw FormatVersions.unsupported("link block", block[0]);
        }
        int[] pos = {1};
        int count = Varint.get(block, pos);
        if (count + 1 > starts.length) {
            throw new IllegalStateException("link block of " + count + " slots, more than " + (starts.length - 1));
        }
        for (int i = 0; i < count; i++) {
            starts[i + 1] = Varint.get(block, pos); // lengths first, turned into offsets below
        }
        starts[0] = pos[0];
        for (int i = 1; i <= count; i++) {
            starts[i] += starts[i - 1];
        }
        if (starts[count] != block.length) {
            throw new IllegalStateException("link block has " + block.length + " bytes, its lengths say " + starts[count]);
        }
        return count;
    }

    /** The links per layer of the body in {@code bytes[from, to)}. */
    public static int[][] decodeBody(byte[] bytes, int from, int to) {
        int[] pos = {from};
        int level = Varint.get(bytes, pos);
        int[][] links = new int[level + 1][];
        for (int layer = 0; layer <= level; layer++) {
            int[] list = new int[Varint.get(bytes, pos)];
            for (int i = 0; i < list.length; i++) {
                list[i] = Varint.get(bytes, pos);
            }
            links[layer] = list;
        }
        if (pos[0] != to) {
            throw new IllegalStateException("node links body has " + (to - pos[0]) + " trailing bytes");
        }
        return links;
    }

    private static int bodySize(int level, int[][] links) {
        int size = Varint.size(level);
        for (int layer = 0; layer <= level; layer++) {
            size += Varint.size(links[layer].length);
            for (int link : links[layer]) {
                size += Varint.size(link);
            }
        }
        return size;
    }

    private static int putBody(byte[] out, int pos, int level, int[][] links) {
        pos = Varint.put(out, pos, level);
        for (int layer = 0; layer <= level; layer++) {
            pos = Varint.put(out, pos, links[layer].length);
            for (int link : links[layer]) {
                pos = Varint.put(out, pos, link);
            }
        }
        return pos;
    }
}
