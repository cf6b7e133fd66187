package io.flinkhnsw.operators.state;

import java.nio.ByteBuffer;

/**
 * Encodes a tombstone for keyed state: its deletion sequence number, which orders the repair queue
 * when a graph is loaded. Layout v1: version, the sequence (long, big-endian). (Before it, tombstones
 * were Boolean values in another state; {@link KeyWriteBack} reads those too.)
 */
public final class TombstoneCodec {
    private TombstoneCodec() {
    }

    public static byte[] encode(long sequence) {
        return ByteBuffer.allocate(9).put(FormatVersions.TOMBSTONE_V1).putLong(sequence).array();
    }

    public static long decode(byte[] bytes) {
        if (bytes[0] != FormatVersions.TOMBSTONE_V1) {
            throw FormatVersions.unsupported("tombstone", bytes[0]);
        }
        if (bytes.length != 9) {
            throw new IllegalStateException("tombstone value has " + bytes.length + " bytes, expected 9");
        }
        return ByteBuffer.wrap(bytes, 1, 8).getLong();
    }
}
