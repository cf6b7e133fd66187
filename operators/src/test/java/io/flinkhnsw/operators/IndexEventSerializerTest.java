package io.flinkhnsw.operators;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IndexEventSerializer} through Flink's serializer test suite (copies, sequences, reuse,
 * snapshots, duplicates), on events of every op with and without each optional field; and Flink
 * picks it for {@link IndexEvent} and for a POJO holding one, never Kryo or the POJO serializer.
 */
class IndexEventSerializerTest extends SerializerTestBase<IndexEvent> {
    @Override
    protected TypeSerializer<IndexEvent> createSerializer() {
        return IndexEventSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<IndexEvent> getTypeClass() {
        return IndexEvent.class;
    }

    @Override
    protected IndexEvent[] getTestData() {
        List<IndexEvent> events = new ArrayList<>(List.of(fixedEvents()));
        for (IndexEvent.Op op : IndexEvent.Op.values()) { // every op, including ones added later
            IndexEvent e = new IndexEvent();
            e.op = op;
            e.key = "k-" + op;
            events.add(e);
        }
        return events.toArray(new IndexEvent[0]);
    }

    private static IndexEvent[] fixedEvents() {
        return new IndexEvent[] {
            IndexEvent.upsert("shop-1", "item-42", new float[] {0.5f, -1f, Float.MIN_VALUE, Float.NaN}, "{\"n\":\"é✓\"}")
                    .from("hnsw-events", 1, 1L << 40),
            IndexEvent.upsert("k", "a", new float[0], null),
            IndexEvent.delete("shop-2", "x".repeat(512)),
            IndexEvent.query("shop-1", "q-7", new float[784], 10, 100).from("hnsw-queries", 0, 7),
            IndexEvent.query(null, null, null, 0, 0),
            filtered(),
            IndexEvent.queryById("shop-1", "q-8", "item-42", 10, 0).withVote("label"),
            IndexEvent.queryByExamples("shop-1", "q-9", new String[] {"a", "é✓"}, new String[0], 5, 64),
            IndexEvent.queryByExamples("shop-1", "q-9", new String[] {"a"}, null, 5, 0),
            IndexEvent.get("shop-1", "g", "item-42"),
            IndexEvent.upsert("shop-1", "item-42", null, "{\"price\":1}"),
            IndexEvent.refused(IndexEvent.Op.GET, "shop-1", "g", "missing field 'id'").from("hnsw-events", 0, 3),
            IndexEvent.subscribe("shop-1", "s-1", null, new float[] {1f, 2f}, 10, 40),
            IndexEvent.subscribe("shop-1", "s-2", "item-42", null, 5, 0),
            IndexEvent.unsubscribe("shop-1", "s-1"),
            new IndexEvent(),
        };
    }

    private static IndexEvent filtered() {
        IndexEvent e = IndexEvent.query("shop-1", "q-8", new float[] {1f, 2f}, 5, 0).from("hnsw-events", 2, 9);
        e.filter = "{\"must\":[{\"field\":\"color\",\"match\":\"red\"}]}";
        return e;
    }

    @Test
    void flinkUsesItForEventsAndForPojosHoldingOne() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false); // Kryo would throw
        assertThat(TypeInformation.of(IndexEvent.class).createSerializer(config)).isSameAs(IndexEventSerializer.INSTANCE);
        TypeInformation<RejectedEvent> rejected = TypeInformation.of(RejectedEvent.class);
        assertThat(rejected).isInstanceOf(PojoTypeInfo.class);
        assertThat(((PojoTypeInfo<RejectedEvent>) rejected).getTypeAt("event")).isSameAs(IndexEventTypeInfo.INSTANCE);
        assertThat(rejected.createSerializer(config)).isNotNull();
    }
}
