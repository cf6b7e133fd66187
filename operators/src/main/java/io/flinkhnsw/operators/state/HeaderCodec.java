package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a {@link GraphHeader} (with its {@link HnswConfig}) as bytes for keyed state. The metric is
 * stored by its short name, not its enum ordinal, so reordering {@link Metric} cannot corrupt state.
 * Layout v2: version, config (metric name as byte length + UTF-8, M, efConstruction, defaultEf,
 * seed), dimension, entryPoint, maxLevel, highWater, liveCount, tombstoneCount, insertSequence,
 * deleteSequence; big-endian. v1 (still read) had the consolidation fraction (a double) after the
 * seed and no deleteSequence; a v1 header reads with deleteSequence = highWater, above the sequence
 * each v1 tombstone is migrated with (its node slot, see {@link KeyWriteBack}).
 */
public final class HeaderCodec {
    private HeaderCodec() {
    }

    public static byte[] encode(GraphHeader h) {
        ByteBuffer b = ByteBuffer.allocate(1 + configSize(h.config()) + 4 * 6 + 8 + 8);
        b.put(FormatVersions.HEADER_V2);
        putConfig(b, h.config());
        b.putInt(h.dimension()).putInt(h.entryPoint()).putInt(h.maxLevel()).putInt(h.highWater())
                .putInt(h.liveCount()).putInt(h.tombstoneCount()).putLong(h.insertSequence())
                .putLong(h.deleteSequence());
        return b.array();
    }

    public static GraphHeader decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != FormatVersions.HEADER_V1 && version != FormatVersions.HEADER_V2) {
            throw FormatVersions.unsupported("graph header", version);
        }
        HnswConfig config = getConfig(b);
        if (version == FormatVersions.HEADER_V1) {
            b.getDouble(); // the consolidation fraction: repair is incremental now
        }
        int dimension = b.getInt();
        int entryPoint = b.getInt();
        int maxLevel = b.getInt();
        int highWater = b.getInt();
        int liveCount = b.getInt();
        int tombstoneCount = b.getInt();
        long insertSequence = b.getLong();
        long deleteSequence = version == FormatVersions.HEADER_V1 ? highWater : b.getLong();
        return new GraphHeader(config, dimension, entryPoint, maxLevel, highWater, liveCount, tombstoneCount,
                insertSequence, deleteSequence);
    }

    /** Bytes {@link #putConfig} writes. */
    static int configSize(HnswConfig c) {
        return 1 + c.metric().cliName().getBytes(StandardCharsets.UTF_8).length + 4 * 3 + 8;
    }

    /** Metric name (byte length + UTF-8), M, efConstruction, defaultEf, seed. */
    static void putConfig(ByteBuffer b, HnswConfig c) {
        byte[] metric = c.metric().cliName().getBytes(StandardCharsets.UTF_8);
        b.put((byte) metric.length).put(metric);
        b.putInt(c.m()).putInt(c.efConstruction()).putInt(c.defaultEf()).putLong(c.seed());
    }

    static HnswConfig getConfig(ByteBuffer b) {
        byte[] metric = new byte[b.get()];
        b.get(metric);
        return new HnswConfig(Metric.parse(new String(metric, StandardCharsets.UTF_8)),
                b.getInt(), b.getInt(), b.getInt(), b.getLong());
    }
}
