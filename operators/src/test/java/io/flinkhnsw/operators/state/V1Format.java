package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.GraphStore;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The encoders of the v1 layout (node records, per-layer link lists; the header and tombstones
 * first without, then with deletion sequences), which the operator only reads now: tests write v1
 * state with them ({@link Writer}), and {@link CodecFormatTest} pins them to the v1 fixtures.
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

    /** The graph header as written before deletion sequences: v1, with the consolidation fraction. */
    public static byte[] headerV1(GraphHeader h, double consolidateFraction) {
        byte[] metric = h.config().metric().cliName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 1 + metric.length + 4 * 3 + 8 + 8 + 4 * 6 + 8);
        b.put(FormatVersions.HEADER_V1);
        // the config as v1 wrote it: no quantization
        b.put((byte) metric.length).put(metric);
        b.putInt(h.config().m()).putInt(h.config().efConstruction()).putInt(h.config().defaultEf())
                .putLong(h.config().seed());
        b.putDouble(consolidateFraction);
        b.putInt(h.dimension()).putInt(h.entryPoint()).putInt(h.maxLevel()).putInt(h.highWater())
                .putInt(h.liveCount()).putInt(h.tombstoneCount()).putLong(h.insertSequence());
        return b.array();
    }

    /** The v1 key of a node layer's link list: node in the high bits, layer in the low byte. */
    public static long linkKey(int node, int layer) {
        return ((long) node << 8) | layer;
    }

    /**
     * Records a graph's writes as the v1 layout's keyed-state puts, as a release before the tiered
     * layout made them; {@link #replay} applies them under the current key of a keyed function.
     * With {@code deletionSequences} as the release with incremental repair wrote them (header v2,
     * tombstones with their deletion sequence), else as the first release (header v1, Boolean
     * tombstones).
     */
    public static final class Writer implements GraphStore {
        private final List<Consumer<RuntimeContext>> writes = new ArrayList<>();
        private final boolean deletionSequences;

        public Writer(boolean deletionSequences) {
            this.deletionSequences = deletionSequences;
        }

        /** Applies every recorded write, in order, to the keyed state of {@code ctx}'s current key. */
        public void replay(RuntimeContext ctx) {
            writes.forEach(w -> w.accept(ctx));
        }

        private static MapState<Integer, byte[]> nodeState(RuntimeContext c) {
            return c.getMapState(new MapStateDescriptor<>(KeyedIndexState.LEGACY_NODES_STATE, IntSerializer.INSTANCE,
                    BytePrimitiveArraySerializer.INSTANCE));
        }

        private static MapState<Long, byte[]> linkState(RuntimeContext c) {
            return c.getMapState(new MapStateDescriptor<>(KeyedIndexState.LEGACY_LINKS_STATE, LongSerializer.INSTANCE,
                    BytePrimitiveArraySerializer.INSTANCE));
        }

        private static MapState<Integer, Boolean> booleanTombstones(RuntimeContext c) {
            return c.getMapState(new MapStateDescriptor<>(KeyedIndexState.LEGACY_TOMBSTONES_STATE,
                    IntSerializer.INSTANCE, BooleanSerializer.INSTANCE));
        }

        private static MapState<Integer, byte[]> deletions(RuntimeContext c) {
            return c.getMapState(new MapStateDescriptor<>(KeyedIndexState.TOMBSTONES_STATE, IntSerializer.INSTANCE,
                    BytePrimitiveArraySerializer.INSTANCE));
        }

        private interface StateWrite {
            void write(RuntimeContext c) throws Exception;
        }

        private void add(StateWrite w) {
            writes.add(c -> {
                try {
                    w.write(c);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        @Override
        public void writeHeader(GraphHeader header) {
            byte[] bytes = deletionSequences ? HeaderCodec.encode(header) : headerV1(header, 0.1);
            add(c -> c.getState(new ValueStateDescriptor<>(KeyedIndexState.GRAPH_HEADER_STATE,
                    BytePrimitiveArraySerializer.INSTANCE)).update(bytes));
        }

        @Override
        public void writeNode(int node, String id, int level, float[] vector) {
            byte[] bytes = V1Format.node(id, level, vector);
            add(c -> nodeState(c).put(node, bytes));
        }

        @Override
        public void writeLinks(int node, int layer, int[] links, int offset, int count) {
            byte[] bytes = V1Format.links(links, offset, count);
            add(c -> linkState(c).put(linkKey(node, layer), bytes));
        }

        @Override
        public void writeTombstone(int node, long sequence) {
            if (deletionSequences) {
                byte[] bytes = TombstoneCodec.encode(sequence);
                add(c -> deletions(c).put(node, bytes));
            } else {
                add(c -> booleanTombstones(c).put(node, Boolean.TRUE));
            }
        }

        @Override
        public void removeNode(int node, int level) {
            add(c -> {
                nodeState(c).remove(node);
                for (int layer = 0; layer <= level; layer++) {
                    linkState(c).remove(linkKey(node, layer));
                }
                if (deletionSequences) {
                    deletions(c).remove(node);
                } else {
                    booleanTombstones(c).remove(node);
                }
            });
        }

        @Override
        public GraphHeader readHeader() {
            return null;
        }

        @Override
        public void readNodes(NodeVisitor visitor) {
        }
    }
}
