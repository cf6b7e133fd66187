package io.flinkhnsw.operators.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the immutable part of a graph node (external id, top layer, stored vector) as bytes for
 * keyed state. Written once per node, so it holds nothing that changes later (links and tombstones
 * live in their own entries). Layout v1: version, level (int), dimension (int), the floats, then
 * the id as UTF-8 to the end of the value; big-endian.
 */
public final class NodeRecordCodec {
    private NodeRecordCodec() {
    }

    /** A decoded node record. */
    public record NodeRecord(String id, int level, float[] vector) {
    }

    public static byte[] encode(String id, int level, float[] vector) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 4 + 4 * vector.length + idBytes.length);
        b.put(FormatVersions.NODE_V1).putInt(level).putInt(vector.length);
        b.asFloatBuffer().put(vector);
        b.position(b.position() + 4 * vector.length);
        b.put(idBytes);
        return b.array();
    }

    public static NodeRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != FormatVersions.NODE_V1) {
            throw FormatVersions.unsupported("node record", version);
        }
        int level = b.getInt();
        float[] vector = new float[b.getInt()];
        b.asFloatBuffer().get(vector);
        int idStart = b.position() + 4 * vector.length;
        String id = new String(bytes, idStart, bytes.length - idStart, StandardCharsets.UTF_8);
        return new NodeRecord(id, level, vector);
    }
}
