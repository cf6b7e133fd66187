package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.KeyHeader;

import java.nio.ByteBuffer;

/**
 * Encodes a key's {@link KeyHeader} as bytes for keyed state: the value whose presence says the key
 * exists in the tiered layout. Layout v2: version, the config as in {@link HeaderCodec}, dimension
 * (int), flags (byte: 1 = has a graph, 2 = draining its backlog), backlog count (int); big-endian.
 * v1 (still read) had the config without its quantization.
 */
public final class KeyHeaderCodec {
    private KeyHeaderCodec() {
    }

    public static byte[] encode(KeyHeader h) {
        ByteBuffer b = ByteBuffer.allocate(1 + HeaderCodec.configSize(h.config()) + 4 + 1 + 4);
        b.put(FormatVersions.KEY_V2);
        HeaderCodec.putConfig(b, h.config());
        b.putInt(h.dimension()).put((byte) ((h.graph() ? 1 : 0) | (h.draining() ? 2 : 0))).putInt(h.flatCount());
        return b.array();
    }

    public static KeyHeader decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != FormatVersions.KEY_V1 && version != FormatVersions.KEY_V2) {
            throw FormatVersions.unsupported("key header", version);
        }
        HnswConfig config = HeaderCodec.getConfig(b, version == FormatVersions.KEY_V2);
        int dimension = b.getInt();
        byte flags = b.get();
        return new KeyHeader(config, dimension, (flags & 1) != 0, (flags & 2) != 0, b.getInt());
    }
}
