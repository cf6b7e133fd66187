package io.flinkhnsw.operators.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The encoders of the v1 layout (node records, per-layer link lists), which the operator only reads
 * now: tests write v1 state with them, and {@link CodecFormatTest} pins them to the v1 fixtures.
 */
public final class V1Format {
    private V1Format() {
    }

    public static byte[] node(String id, int level, float[] vector) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 4 + 4 * vector.length + idBytes.length);
        b.put(FormatVersions.NODE_V1).putInt(level).putInt(vector.length);
        b.asFloatBuffer().put(vector);
        b.position(b.position() + 4 * vector.length);
        b.put(idBytes);
        return b.array();
    }

    public static byte[] links(int[] links, int offset, int count) {
        int size = 1 + Varint.size(count);
        for (int i = offset; i < offset + count; i++) {
            size += Varint.size(links[i]);
        }
        byte[] out = new byte[size];
        out[0] = FormatVersions.LINKS_V1;
        int pos = Varint.put(out, 1, count);
        for (int i = offset; i < offset + count; i++) {
            pos = Varint.put(out, pos, links[i]);
        }
        return out;
    }

    /** The v1 key of a node layer's link list: node in the high bits, layer in the low byte. */
    public static long linkKey(int node, int layer) {
        return ((long) node << 8) | layer;
    }
}
