package io.flinkhnsw.operators.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a write logged for a key whose working copy is not in memory ({@link KeyedIndexState}'s
 * pending writes): an upsert with its id and vector as received, or a delete with its id. Layout v1:
 * version, op (1 upsert, 2 delete), id length (varint), id (UTF-8), then for an upsert its floats
 * (little-endian; their count is what is left).
 */
public final class PendingWriteCodec {
    private static final byte UPSERT = 1;
    private static final byte DELETE = 2;

    private PendingWriteCodec() {
    }

    /** Receives the decoded write; {@code vector} is a new array the receiver may keep. */
    public interface Visitor {
        void upsert(String id, float[] vector);

        void delete(String id);
    }

    public static byte[] upsert(String id, float[] vector) {
        return encode(UPSERT, id, vector);
    }

    public static byte[] delete(String id) {
        return encode(DELETE, id, new float[0]);
    }

    private static byte[] encode(byte op, String id, float[] vector) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        int floatsAt = 2 + Varint.size(idBytes.length) + idBytes.length;
        byte[] out = new byte[floatsAt + 4 * vector.length];
        out[0] = FormatVersions.PENDING_WRITE_V1;
        out[1] = op;
        int pos = Varint.put(out, 2, idBytes.length);
        System.arraycopy(idBytes, 0, out, pos, idBytes.length);
        ByteBuffer.wrap(out, floatsAt, 4 * vector.length).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(vector);
        return out;
    }

    public static void decode(byte[] bytes, Visitor visitor) {
        if (bytes[0] != FormatVersions.PENDING_WRITE_V1) {
            throw FormatVersions.unsupported("pending write", bytes[0]);
        }
        int[] pos = {2};
        int idLength = Varint.get(bytes, pos);
        String id = new String(bytes, pos[0], idLength, StandardCharsets.UTF_8);
        int floatsAt = pos[0] + idLength;
        switch (bytes[1]) {
            case UPSERT -> {
                if ((bytes.length - floatsAt) % 4 != 0) {
                    throw new IllegalStateException("pending upsert of " + id + " has a partial float");
                }
                float[] vector = new float[(bytes.length - floatsAt) / 4];
                ByteBuffer.wrap(bytes, floatsAt, 4 * vector.length).slice().order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer().get(vector);
                visitor.upsert(id, vector);
            }
            case DELETE -> {
                if (bytes.length != floatsAt) {
                    throw new IllegalStateException("pending delete of " + id + " has trailing bytes");
                }
                visitor.delete(id);
            }
            default -> throw new IllegalStateException("pending write with unknown op " + bytes[1]);
        }
    }
}
