package io.flinkhnsw.operators.state;

import java.util.Arrays;

/**
 * Encodes one node's link list on one layer as bytes for keyed state. Link lists are the entries
 * rewritten most often (every insert touches up to 2M neighbours' lists), so they are stored as
 * unsigned LEB128 varints: node slots below 2^21 take 3 bytes instead of 4, which shrinks what an
 * incremental checkpoint uploads. Order is kept exactly, as the graph depends on it.
 * Layout v1: version, count (varint), the links (varints).
 */
public final class LinksCodec {
    private LinksCodec() {
    }

    public static byte[] encode(int[] links, int offset, int count) {
        int size = 1 + varintSize(count);
        for (int i = offset; i < offset + count; i++) {
            size += varintSize(links[i]);
        }
        byte[] out = new byte[size];
        out[0] = FormatVersions.LINKS_V1;
        int pos = putVarint(out, 1, count);
        for (int i = offset; i < offset + count; i++) {
            pos = putVarint(out, pos, links[i]);
        }
        return out;
    }

    public static int[] decode(byte[] bytes) {
        if (bytes[0] != FormatVersions.LINKS_V1) {
            throw FormatVersions.unsupported("links", bytes[0]);
        }
        int[] pos = {1};
        int[] links = new int[getVarint(bytes, pos)];
        for (int i = 0; i < links.length; i++) {
            links[i] = getVarint(bytes, pos);
        }
        if (pos[0] != bytes.length) {
            throw new IllegalStateException("links value has " + (bytes.length - pos[0]) + " trailing bytes: "
                    + Arrays.toString(bytes));
        }
        return links;
    }

    private static int varintSize(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative node slot " + v);
        }
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static int putVarint(byte[] out, int pos, int v) {
        while ((v & ~0x7F) != 0) {
            out[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return pos;
    }

    private static int getVarint(byte[] in, int[] pos) {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = in[pos[0]++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("malformed varint in links value");
    }
}
