package io.flinkhnsw.operators.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the v1 node records of graphs written before vectors were kept in blocks
 * ({@link VectorCodec}): per node its id, top layer and vector. Layout v1: version, level (int),
 * dimension (int), the floats, then the id as UTF-8 to the end of the value; big-endian. Kept so
 * older savepoints stay readable; nothing writes it any more.
 */
public final class NodeRecordCodec {
    private NodeRecordCodec() {
    }

    /** A decoded node record. */
    public record NodeRecord(String id, int level, float[] vector) {
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
