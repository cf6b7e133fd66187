package io.flinkhnsw.operators;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Flink's serializer for {@link IndexEvent} on the keyBy shuffle: one byte for the op, one byte
 * saying which nullable fields follow, then the present fields in a fixed order (strings in Flink's
 * {@link StringValue} encoding, the vector as its length and raw floats), without the reflection of
 * the POJO serializer. Events are not kept in state; the format may change with a new
 * {@link Snapshot} version if they ever are. Null events are not supported.
 */
public final class IndexEventSerializer extends TypeSerializerSingleton<IndexEvent> {
    private static final long serialVersionUID = 1L;

    public static final IndexEventSerializer INSTANCE = new IndexEventSerializer();

    private static final IndexEvent.Op[] OPS = IndexEvent.Op.values();
    private static final int KEY = 1;
    private static final int ID = 1 << 1;
    private static final int QUERY_ID = 1 << 2;
    private static final int VECTOR = 1 << 3;
    private static final int PAYLOAD = 1 << 4;
    private static final int SOURCE_TOPIC = 1 << 5;
    /** Written after the source fields, so events without a filter keep version 1's bytes. */
    private static final int FILTER = 1 << 6;

    private IndexEventSerializer() {
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public IndexEvent createInstance() {
        return new IndexEvent();
    }

    @Override
    public IndexEvent copy(IndexEvent from) {
        return copy(from, new IndexEvent());
    }

    @Override
    public IndexEvent copy(IndexEvent from, IndexEvent reuse) {
        reuse.op = from.op;
        reuse.key = from.key;
        reuse.id = from.id;
        reuse.queryId = from.queryId;
        reuse.vector = from.vector == null ? null : from.vector.clone();
        reuse.payload = from.payload;
        reuse.k = from.k;
        reuse.ef = from.ef;
        reuse.sourceTopic = from.sourceTopic;
        reuse.sourcePartition = from.sourcePartition;
        reuse.sourceOffset = from.sourceOffset;
        reuse.filter = from.filter;
        return reuse;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(IndexEvent e, DataOutputView out) throws IOException {
        out.writeByte(e.op == null ? 0 : e.op.ordinal() + 1);
        out.writeByte((e.key != null ? KEY : 0) | (e.id != null ? ID : 0) | (e.queryId != null ? QUERY_ID : 0)
                | (e.vector != null ? VECTOR : 0) | (e.payload != null ? PAYLOAD : 0)
                | (e.sourceTopic != null ? SOURCE_TOPIC : 0) | (e.filter != null ? FILTER : 0));
        writeIfPresent(e.key, out);
        writeIfPresent(e.id, out);
        writeIfPresent(e.queryId, out);
        if (e.vector != null) {
            out.writeInt(e.vector.length);
            for (float f : e.vector) {
                out.writeFloat(f);
            }
        }
        writeIfPresent(e.payload, out);
        out.writeInt(e.k);
        out.writeInt(e.ef);
        writeIfPresent(e.sourceTopic, out);
        out.writeInt(e.sourcePartition);
        out.writeLong(e.sourceOffset);
        writeIfPresent(e.filter, out);
    }

    private static void writeIfPresent(String s, DataOutputView out) throws IOException {
        if (s != null) {
            StringValue.writeString(s, out);
        }
    }

    @Override
    public IndexEvent deserialize(DataInputView in) throws IOException {
        return deserialize(new IndexEvent(), in);
    }

    @Override
    public IndexEvent deserialize(IndexEvent e, DataInputView in) throws IOException {
        int op = in.readUnsignedByte();
        e.op = op == 0 ? null : OPS[op - 1];
        int present = in.readUnsignedByte();
        e.key = readIfPresent(present, KEY, in);
        e.id = readIfPresent(present, ID, in);
        e.queryId = readIfPresent(present, QUERY_ID, in);
        if ((present & VECTOR) != 0) {
            float[] v = new float[in.readInt()];
            for (int i = 0; i < v.length; i++) {
                v[i] = in.readFloat();
            }
            e.vector = v;
        } else {
            e.vector = null;
        }
        e.payload = readIfPresent(present, PAYLOAD, in);
        e.k = in.readInt();
        e.ef = in.readInt();
        e.sourceTopic = readIfPresent(present, SOURCE_TOPIC, in);
        e.sourcePartition = in.readInt();
        e.sourceOffset = in.readLong();
        e.filter = readIfPresent(present, FILTER, in);
        return e;
    }

    private static String readIfPresent(int present, int field, DataInputView in) throws IOException {
        return (present & field) != 0 ? StringValue.readString(in) : null;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<IndexEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores {@link #INSTANCE}; version 1 is the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<IndexEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
