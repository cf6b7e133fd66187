package io.flinkhnsw.operators.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes stored vectors with their ids for keyed state, either one slot per value (a record) or a
 * block of consecutive slots per value, so a key is loaded from a few large values rather than one
 * small value per vector. Floats are little-endian, which on the usual hardware is a plain copy.
 * Record v1: version, id length (varint), id (UTF-8), the floats. Block v1: version, slot count
 * (varint), per slot the id's byte length (varint, 0 = empty slot), the ids of the present slots
 * (UTF-8, concatenated), then the floats of the present slots in slot order.
 */
public final class VectorCodec {
    private VectorCodec() {
    }

    /** Receives the slots of a decoded record or block; {@code vector} is only valid during the call. */
    public interface SlotVisitor {
        void slot(int offset, String id, float[] vector);
    }

    public static byte[] encodeRecord(String id, float[] vector, int from, int dim) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[1 + Varint.size(idBytes.length) + idBytes.length + 4 * dim];
        out[0] = FormatVersions.VECTOR_V1;
        int pos = Varint.put(out, 1, idBytes.length);
        System.arraycopy(idBytes, 0, out, pos, idBytes.length);
        pos += idBytes.length;
        floats(out, pos, dim).put(vector, from, dim);
        return out;
    }

    /** Calls the visitor once, with offset 0. */
    public static void decodeRecord(byte[] bytes, int dim, float[] scratch, SlotVisitor visitor) {
        if (bytes[0] != FormatVersions.VECTOR_V1) {
            throw FormatVersions.unsupported("vector record", bytes[0]);
        }
        int[] pos = {1};
        int idLength = Varint.get(bytes, pos);
        String id = new String(bytes, pos[0], idLength, StandardCharsets.UTF_8);
        int floatsAt = pos[0] + idLength;
        checkLength(bytes, floatsAt + 4 * dim, "vector record");
        floats(bytes, floatsAt, dim).get(scratch, 0, dim);
        visitor.slot(0, id, scratch);
    }

    /**
     * A block of {@code ids.length} slots: {@code ids[i]} null for an empty slot, else its vector at
     * {@code vectors[i * dim ..]}.
     */
    public static byte[] encodeBlock(String[] ids, float[] vectors, int dim) {
        byte[][] idBytes = new byte[ids.length][];
        int size = 1 + Varint.size(ids.length);
        int present = 0;
        for (int i = 0; i < ids.length; i++) {
            idBytes[i] = ids[i] == null ? new byte[0] : ids[i].getBytes(StandardCharsets.UTF_8);
            size += Varint.size(idBytes[i].length) + idBytes[i].length;
            present += ids[i] == null ? 0 : 1;
        }
        byte[] out = new byte[size + 4 * dim * present];
        out[0] = FormatVersions.VECTOR_BLOCK_V1;
        int pos = Varint.put(out, 1, ids.length);
        for (byte[] b : idBytes) {
            pos = Varint.put(out, pos, b.length);
        }
        for (byte[] b : idBytes) {
            System.arraycopy(b, 0, out, pos, b.length);
            pos += b.length;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != null) {
                floats(out, pos, dim).put(vectors, i * dim, dim);
                pos += 4 * dim;
            }
        }
        return out;
    }

    /** Calls the visitor for every present slot of the block, with its offset in the block. */
    public static void decodeBlock(byte[] bytes, int dim, float[] scratch, SlotVisitor visitor) {
        if (bytes[0] != FormatVersions.VECTOR_BLOCK_V1) {
            throw FormatVersions.unsupported("vector block", bytes[0]);
        }
        int[] pos = {1};
        int slots = Varint.get(bytes, pos);
        int[] idLengths = new int[slots];
        int present = 0;
        for (int i = 0; i < slots; i++) {
            idLengths[i] = Varint.get(bytes, pos);
            present += idLengths[i] > 0 ? 1 : 0;
        }
        int idAt = pos[0];
        int floatsAt = idAt;
        for (int length : idLengths) {
            floatsAt += length;
        }
        checkLength(bytes, floatsAt + 4 * dim * present, "vector block");
        for (int i = 0; i < slots; i++) {
            if (idLengths[i] == 0) {
                continue;
            }
            String id = new String(bytes, idAt, idLengths[i], StandardCharsets.UTF_8);
            idAt += idLengths[i];
            floats(bytes, floatsAt, dim).get(scratch, 0, dim);
            floatsAt += 4 * dim;
            visitor.slot(i, id, scratch);
        }
    }

    private static java.nio.FloatBuffer floats(byte[] bytes, int at, int dim) {
        return ByteBuffer.wrap(bytes, at, 4 * dim).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    private static void checkLength(byte[] bytes, int expected, String what) {
        if (bytes.length != expected) {
            throw new IllegalStateException(what + " has " + bytes.length + " bytes where its dimension and ids need "
                    + expected);
        }
    }
}
