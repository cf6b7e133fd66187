package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a {@link GraphHeader} (with its {@link HnswConfig}) as bytes for keyed state. The metric is
 * stored by its short name, not its enum ordinal, so reordering {@link Metric} cannot corrupt state.
 * Layout v1: version, config (metric name as byte length + UTF-8, M, efConstruction, defaultEf, seed,
 * consolidateFraction), dimension, entryPoint, maxLevel, highWater, liveCount, tombstoneCount,
 * insertSequence; big-endian.
 */
public final class HeaderCodec {
    private HeaderCodec() {
    }

    public static byte[] encode(GraphHeader h) {
        ByteBuffer b = ByteBuffer.allocate(1 + configSize(h.config()) + 4 * 6 + 8);
        b.put(FormatVersions.HEADER_V1);
        putConfig(b, h.config());
        b.putInt(h.dimension()).putInt(h.entryPoint()).putInt(h.maxLevel()).putInt(h.highWater())
                .putInt(h.liveCount()).putInt(h.tombstoneCount()).putLong(h.insertSequence());
        return b.array();
    }

    public static GraphHeader decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != FormatVersions.HEADER_V1) {
            throw FormatVersions.unsupported("graph header", version);
        }
        return new GraphHeader(getConfig(b), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(),
                b.getLong());
    }

    static int configSize(HnswConfig c) {
        return 1 + c.metric().cliName().getBytes(StandardCharsets.UTF_8).length + 4 * 3 + 8 + 8;
    }

    static void putConfig(ByteBuffer b, HnswConfig c) {
        byte[] metric = c.metric().cliName().getBytes(StandardCharsets.UTF_8);
        b.put((byte) metric.length).put(metric);
        b.putInt(c.m()).putInt(c.efConstruction()).putInt(c.defaultEf()).putLong(c.seed())
                .putDouble(c.consolidateFraction());
    }

    static HnswConfig getConfig(ByteBuffer b) {
        byte[] metric = new byte[b.get()];
        b.get(metric);
        return new HnswConfig(Metric.parse(new String(metric, StandardCharsets.UTF_8)),
                b.getInt(), b.getInt(), b.getInt(), b.getLong(), b.getDouble());
    }
}
