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
 * the POJO serializer. The query-form fields ({@code like}, {@code unlike}, {@code vote}, {@code refusal}, {@code filter},
 * {@code subscriptionId}) follow at the
 * end behind a second presence byte. Events are not kept in state; the format may change with a new
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
    // second presence byte
    private static final int LIKE = 1;
    private static final int UNLIKE = 1 << 1;
    private static final int VOTE = 1 << 2;
    private static final int REFUSAL = 1 << 3;
    private static final int FILTER = 1 << 4;
    private static final int SUBSCRIPTION_ID = 1 << 5;

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
        reuse.like = from.like == null ? null : from.like.clone();
        reuse.unlike = from.unlike == null ? null : from.unlike.clone();
        reuse.vote = from.vote;
        reuse.refusal = from.refusal;
        reuse.filter = from.filter;
        reuse.subscriptionId = from.subscriptionId;
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
                | (e.sourceTopic != null ? SOURCE_TOPIC : 0));
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
        out.writeByte((e.like != null ? LIKE : 0) | (e.unlike != null ? UNLIKE : 0) | (e.vote != null ? VOTE : 0)
                | (e.refusal != null ? REFUSAL : 0) | (e.filter != null ? FILTER : 0)
                | (e.subscriptionId != null ? SUBSCRIPTION_ID : 0));
        writeIfPresent(e.like, out);
        writeIfPresent(e.unlike, out);
        writeIfPresent(e.vote, out);
        writeIfPresent(e.refusal, out);
        writeIfPresent(e.filter, out);
        writeIfPresent(e.subscriptionId, out);
    }

    private static void writeIfPresent(String[] ids, DataOutputView out) throws IOException {
        if (ids != null) {
            out.writeInt(ids.length);
            for (String id : ids) {
                StringValue.writeString(id, out);
            }
        }
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
        int more = in.readUnsignedByte();
        e.like = readIdsIfPresent(more, LIKE, in);
        e.unlike = readIdsIfPresent(more, UNLIKE, in);
        e.vote = readIfPresent(more, VOTE, in);
        e.refusal = readIfPresent(more, REFUSAL, in);
        e.filter = readIfPresent(more, FILTER, in);
        e.subscriptionId = readIfPresent(more, SUBSCRIPTION_ID, in);
        return e;
    }

    private static String[] readIdsIfPresent(int present, int field, DataInputView in) throws IOException {
        if ((present & field) == 0) {
            return null;
        }
        String[] ids = new String[in.readInt()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = StringValue.readString(in);
        }
        return ids;
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
