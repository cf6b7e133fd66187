package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.Quantization;
import io.flinkhnsw.hnsw.ScalarQuantizer;
import io.flinkhnsw.vector.Metric;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a {@link GraphHeader} (with its {@link HnswConfig}) as bytes for keyed state. The metric and
 * the quantization are stored by their short names, not enum ordinals, so reordering the enums cannot
 * corrupt state. Layout v3: version, config (metric name as byte length + UTF-8, M, efConstruction,
 * defaultEf, seed, quantization name as byte length + UTF-8), dimension, entryPoint, maxLevel,
 * highWater, liveCount, tombstoneCount, insertSequence, deleteSequence, then the learned quantizer
 * as a float count (0 for none) and its floats (base, then step); big-endian. v2 (still read) had no
 * quantization and no quantizer; v1 also had the consolidation fraction (a double) after the seed and
 * no deleteSequence; a v1 header reads with deleteSequence = highWater, above the sequence each v1
 * tombstone is migrated with (its node slot, see {@link KeyWriteBack}).
 */
public final class HeaderCodec {
    private HeaderCodec() {
    }

    public static byte[] encode(GraphHeader h) {
        float[] quantizer = h.quantizer() == null ? new float[0] : h.quantizer().toArray();
        ByteBuffer b = ByteBuffer.allocate(1 + configSize(h.config()) + 4 * 6 + 8 + 8 + 4 + 4 * quantizer.length);
        b.put(FormatVersions.HEADER_V3);
        putConfig(b, h.config());
        b.putInt(h.dimension()).putInt(h.entryPoint()).putInt(h.maxLevel()).putInt(h.highWater())
                .putInt(h.liveCount()).putInt(h.tombstoneCount()).putLong(h.insertSequence())
                .putLong(h.deleteSequence());
        b.putInt(quantizer.length);
        for (float f : quantizer) {
            b.putFloat(f);
        }
        return b.array();
    }

    public static GraphHeader decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != FormatVersions.HEADER_V1 && version != FormatVersions.HEADER_V2
                && version != FormatVersions.HEADER_V3) {
            throw FormatVersions.unsupported("graph header", version);
        }
        HnswConfig config = getConfig(b, version == FormatVersions.HEADER_V3);
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
        ScalarQuantizer quantizer = null;
        if (version == FormatVersions.HEADER_V3) {
            float[] values = new float[b.getInt()];
            for (int i = 0; i < values.length; i++) {
                values[i] = b.getFloat();
            }
            quantizer = values.length == 0 ? null : ScalarQuantizer.fromArray(values);
        }
        return new GraphHeader(config, dimension, entryPoint, maxLevel, highWater, liveCount, tombstoneCount,
                insertSequence, deleteSequence, quantizer);
    }

    /** Bytes {@link #putConfig} writes. */
    static int configSize(HnswConfig c) {
        return 1 + c.metric().cliName().getBytes(StandardCharsets.UTF_8).length + 4 * 3 + 8
                + 1 + c.quantization().cliName().getBytes(StandardCharsets.UTF_8).length;
    }

    /** Metric name (byte length + UTF-8), M, efConstruction, defaultEf, seed, quantization name. */
    static void putConfig(ByteBuffer b, HnswConfig c) {
        putName(b, c.metric().cliName());
        b.putInt(c.m()).putInt(c.efConstruction()).putInt(c.defaultEf()).putLong(c.seed());
        putName(b, c.quantization().cliName());
    }

    /** The config {@link #putConfig} wrote; {@code quantized} false for layouts from before quantization. */
    static HnswConfig getConfig(ByteBuffer b, boolean quantized) {
        Metric metric = Metric.parse(getName(b));
        int m = b.getInt();
        int efConstruction = b.getInt();
        int defaultEf = b.getInt();
        long seed = b.getLong();
        Quantization quantization = quantized ? Quantization.parse(getName(b)) : Quantization.NONE;
        return new HnswConfig(metric, m, efConstruction, defaultEf, seed, quantization);
    }

    private static void putName(ByteBuffer b, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        b.put((byte) bytes.length).put(bytes);
    }

    private static String getName(ByteBuffer b) {
        byte[] bytes = new byte[b.get()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
