package io.flinkhnsw.job.codec;

import io.flinkhnsw.operators.EventValidator;
import io.flinkhnsw.operators.IndexEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventCodecTest {
    private final EventCodec codec = new EventCodec(4096, new EventValidator(500, 16 * 1024));

    private static RawRecord record(String key, String json) {
        return record(key == null ? null : key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }

    private static RawRecord record(byte[] key, byte[] value) {
        return new RawRecord("hnsw-events", 1, 42L, key, value);
    }

    private DeadLetter rejected(String key, String json) {
        EventCodec.Decoded d = codec.decode(record(key, json));
        assertThat(d.event).as("decoded event of %s", json).isNull();
        assertThat(d.deadLetter.topic).isEqualTo("hnsw-events");
        assertThat(d.deadLetter.partition).isEqualTo(1);
        assertThat(d.deadLetter.offset).isEqualTo(42L);
        return d.deadLetter;
    }

    @Test
    void decodesUpsertWithPayload() {
        EventCodec.Decoded d = codec.decode(record("shop-1",
                "{\"op\":\"upsert\",\"key\":\"shop-1\",\"id\":\"item-42\",\"vector\":[0.5,-1,2e-3],\"payload\":{\"name\":\"x\",\"n\":[1,2]}}"));
        assertThat(d.deadLetter).isNull();
        IndexEvent e = d.event;
        assertThat(e.op).isEqualTo(IndexEvent.Op.UPSERT);
        assertThat(e.key).isEqualTo("shop-1");
        assertThat(e.id).isEqualTo("item-42");
        assertThat(e.vector).containsExactly(0.5f, -1f, 0.002f);
        assertThat(e.payload).isEqualTo("{\"name\":\"x\",\"n\":[1,2]}");
        assertThat(e.sourceTopic).isEqualTo("hnsw-events");
        assertThat(e.sourceOffset).isEqualTo(42L);
    }

    @Test
    void decodesDeleteAndQueryAndDefaultsTheKey() {
        IndexEvent del = codec.decode(record(null, "{\"op\":\"delete\",\"id\":\"item-42\"}")).event;
        assertThat(del.op).isEqualTo(IndexEvent.Op.DELETE);
        assertThat(del.key).isEqualTo("default");
        IndexEvent q = codec.decode(record("shop-1",
                "{\"op\":\"query\",\"key\":\"shop-1\",\"queryId\":\"q-7\",\"vector\":[1,2],\"k\":10,\"ef\":100}")).event;
        assertThat(q.op).isEqualTo(IndexEvent.Op.QUERY);
        assertThat(q.queryId).isEqualTo("q-7");
        assertThat(q.k).isEqualTo(10);
        assertThat(q.ef).isEqualTo(100);
        assertThat(codec.decode(record("default", "{\"op\":\"query\",\"queryId\":\"q\",\"vector\":[1],\"k\":3}")).event.ef)
                .as("ef is optional").isZero();
    }

    @Test
    void decodesADropOfAWholeKey() {
        IndexEvent drop = codec.decode(record("shop-1", "{\"op\":\"drop\",\"key\":\"shop-1\"}")).event;
        assertThat(drop.op).isEqualTo(IndexEvent.Op.DROP);
        assertThat(drop.key).isEqualTo("shop-1");
        assertThat(drop.id).isNull();
        assertThat(codec.decode(record("shop-1".getBytes(StandardCharsets.UTF_8), EventCodec.encode(drop, VectorEncoding.JSON)))
                .event).isEqualTo(drop);
        assertThat(rejected("shop-2", "{\"op\":\"drop\",\"key\":\"shop-1\"}").error)
                .as("a drop names the record's key").contains("does not match");
    }

    @ParameterizedTest
    @EnumSource(VectorEncoding.class)
    void encodeThenDecodeGivesTheSameEvent(VectorEncoding encoding) {
        float[] awkward = {1.25f, -3e-7f, 1e30f, Float.MIN_VALUE, -Float.MAX_VALUE, 0.1f, 16777217f, -0f};
        IndexEvent up = IndexEvent.upsert("k", "a", awkward, "{\"x\":1}");
        IndexEvent back = codec.decode(record("k".getBytes(StandardCharsets.UTF_8), EventCodec.encode(up, encoding))).event;
        assertThat(back.vector).containsExactly(up.vector);
        assertThat(Float.floatToRawIntBits(back.vector[7])).as("negative zero").isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(back.payload).isEqualTo(up.payload);
        IndexEvent q = IndexEvent.query("k", "q", new float[] {1}, 5, 50);
        IndexEvent qb = codec.decode(record(null, EventCodec.encode(q, encoding))).event;
        assertThat(qb.vector).containsExactly(1f);
        assertThat(qb.k).isEqualTo(5);
        assertThat(qb.ef).isEqualTo(50);
    }

    @Test
    void decodesVectorB64AsLittleEndianFloat32() {
        // 1.0f = 00 00 80 3F, -2.5f = 00 00 20 C0 (little-endian)
        String b64 = Base64.getEncoder().encodeToString(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0x20, (byte) 0xC0});
        IndexEvent e = codec.decode(record(null, "{\"op\":\"upsert\",\"id\":\"a\",\"vector_b64\":\"" + b64 + "\"}")).event;
        assertThat(e.vector).containsExactly(1f, -2.5f);
        assertThat(codec.decode(record(null, "{\"op\":\"query\",\"queryId\":\"q\",\"k\":1,\"vector_b64\":\"" + b64 + "\"}"))
                .event.vector).containsExactly(1f, -2.5f);
    }

    @Test
    void decodesAVectorOfEveryComponentCountUpToTheLimit() {
        for (int dim : new int[] {1, 127, 128, 129, 784, 4096}) {
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) v[i] = i * 0.37f - 11f;
            EventCodec big = new EventCodec(1 << 20, new EventValidator(500, 16 * 1024));
            IndexEvent back = big.decode(record(null, EventCodec.encode(IndexEvent.upsert("default", "a", v, null),
                    VectorEncoding.JSON))).event;
            assertThat(back.vector).as("dim %d", dim).containsExactly(v);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        malformed JSON             | {"op":"upsert","id":"a","vector":[1,2       | malformed JSON
        trailing garbage           | {"op":"delete","id":"a"} x                | malformed JSON
        not an object              | [1,2,3]                                   | expected a JSON object, got array
        duplicate field            | {"op":"delete","id":"a","id":"b"}         | malformed JSON
        missing op                 | {"id":"a"}                                | missing field 'op'
        unknown op                 | {"op":"merge","id":"a"}                   | unknown op 'merge'
        op not a string            | {"op":1,"id":"a"}                         | field 'op' must be a string
        missing id                 | {"op":"upsert","vector":[1]}              | missing field 'id'
        empty id                   | {"op":"delete","id":""}                   | field 'id' is empty
        numeric id                 | {"op":"delete","id":7}                    | field 'id' must be a string
        missing vector             | {"op":"upsert","id":"a"}                  | missing field 'vector'
        vector not an array        | {"op":"upsert","id":"a","vector":"1,2"}   | field 'vector' must be an array
        empty vector               | {"op":"upsert","id":"a","vector":[]}      | vector has 0 components, must have 1..4096
        nested vector              | {"op":"upsert","id":"a","vector":[[1],2]} | vector[0] is not a number: [1]
        vector and vector_b64      | {"op":"upsert","id":"a","vector":[1],"vector_b64":"AACAPw=="} | the event has both 'vector' and 'vector_b64'
        vector_b64 not base64      | {"op":"upsert","id":"a","vector_b64":"AAC-Pw=="} | field 'vector_b64' is not valid base64
        vector_b64 cut short       | {"op":"upsert","id":"a","vector_b64":"AACAPwA="} | field 'vector_b64' decodes to 5 bytes, not a whole number of little-endian float32
        vector_b64 not a string    | {"op":"query","queryId":"q","k":1,"vector_b64":[1]} | field 'vector_b64' must be a string
        vector_b64 empty           | {"op":"upsert","id":"a","vector_b64":""}  | vector has 0 components, must have 1..4096
        vector_b64 NaN             | {"op":"upsert","id":"a","vector_b64":"AACAPwAAwH8="} | vector[1] is NaN
        vector_b64 Infinity        | {"op":"upsert","id":"a","vector_b64":"AACA/w=="} | vector[0] is infinite
        malformed after a bad type | {"op":1,"id":"a","vector":[1,2            | malformed JSON
        more content after         | {"op":"delete","id":"a"} {"op":"delete","id":"b"} | malformed JSON: more content after the event
        vector with a string       | {"op":"upsert","id":"a","vector":[1,"2"]} | vector[1] is not a number
        NaN                        | {"op":"upsert","id":"a","vector":[1,NaN]} | vector[1] is NaN
        Infinity                   | {"op":"upsert","id":"a","vector":[-Infinity]} | vector[0] is infinite
        too large for float        | {"op":"upsert","id":"a","vector":[1e39]}  | vector[0] is infinite or too large for a 32-bit float
        payload not an object      | {"op":"upsert","id":"a","vector":[1],"payload":[1]} | field 'payload' must be a JSON object
        missing queryId            | {"op":"query","vector":[1],"k":1}         | missing field 'queryId'
        missing k                  | {"op":"query","queryId":"q","vector":[1]} | missing field 'k'
        k zero                     | {"op":"query","queryId":"q","vector":[1],"k":0} | k is 0, must be in 1..1000
        k too large                | {"op":"query","queryId":"q","vector":[1],"k":1001} | k is 1001, must be in 1..1000
        k not an integer           | {"op":"query","queryId":"q","vector":[1],"k":2.5} | field 'k' must be an integer
        ef below k                 | {"op":"query","queryId":"q","vector":[1],"k":10,"ef":5} | ef is 5, must be in k..500
        ef above max               | {"op":"query","queryId":"q","vector":[1],"k":10,"ef":501} | ef is 501, must be in k..500
        query without vector       | {"op":"query","queryId":"q","k":1}        | missing field 'vector'
        query with vector and id   | {"op":"query","queryId":"q","k":1,"vector":[1],"id":"a"} | searches with one of 'vector' (or 'vector_b64'), 'id' or 'like', not with 'vector' and 'id'
        query with id and like     | {"op":"query","queryId":"q","k":1,"id":"a","like":["b"]} | not with 'id' and 'like'
        vector_b64 and like        | {"op":"query","queryId":"q","k":1,"vector_b64":"AACAPw==","like":["b"]} | not with 'vector' and 'like'
        like not an array          | {"op":"query","queryId":"q","k":1,"like":"a"} | field 'like' must be an array of ids
        like with a number         | {"op":"query","queryId":"q","k":1,"like":["a",2]} | like[1] must be a string, got number
        like empty                 | {"op":"query","queryId":"q","k":1,"like":[]} | 'like' needs at least one id
        like with an empty id      | {"op":"query","queryId":"q","k":1,"like":["a",""]} | field 'like[1]' is empty
        unlike alone               | {"op":"query","queryId":"q","k":1,"unlike":["a"]} | 'unlike' needs at least one 'like' id
        k too large with examples  | {"op":"query","queryId":"q","k":1000,"like":["a","b"]} | k is 1000, must be in 1..998
        unknown strategy           | {"op":"query","queryId":"q","k":1,"like":["a"],"strategy":"median"} | strategy 'median' is not supported: the only strategy is 'average_vector'
        best_score strategy        | {"op":"query","queryId":"q","k":1,"like":["a"],"strategy":"best_score"} | strategy 'best_score' is not supported yet
        vote not a string          | {"op":"query","queryId":"q","k":1,"vector":[1],"vote":["a"]} | field 'vote' must be a string
        vote empty                 | {"op":"query","queryId":"q","k":1,"vector":[1],"vote":""} | field 'vote' is empty
        get without id             | {"op":"get","queryId":"q"}                | missing field 'id'
        get without queryId        | {"op":"get","id":"a"}                     | missing field 'queryId'
        upsert without vector or payload | {"op":"upsert","id":"a","payload":null} | missing field 'vector'
        subscribe without id       | {"op":"subscribe","vector":[1],"k":1}     | missing field 'subscriptionId'
        subscribe without k        | {"op":"subscribe","subscriptionId":"s","vector":[1]} | missing field 'k'
        subscribe k too large      | {"op":"subscribe","subscriptionId":"s","vector":[1],"k":101} | k is 101, must be in 1..100 for a subscription
        subscribe to nothing       | {"op":"subscribe","subscriptionId":"s","k":1} | missing field 'vector' (or 'id')
        subscribe to both          | {"op":"subscribe","subscriptionId":"s","k":1,"vector":[1],"id":"a"} | follows one of 'vector' (or 'vector_b64') or 'id', not both
        subscribe to examples      | {"op":"subscribe","subscriptionId":"s","k":1,"like":["a"]} | not 'like'/'unlike' examples
        subscribe with a bad ef    | {"op":"subscribe","subscriptionId":"s","vector":[1],"k":10,"ef":5} | ef is 5, must be in k..500
        subscribe with a filter    | {"op":"subscribe","subscriptionId":"s","vector":[1],"k":1,"filter":{}} | filter
        unsubscribe without id     | {"op":"unsubscribe"}                      | missing field 'subscriptionId'
        """)
    void rejectsWithAReason(String what, String json, String reason) {
        DeadLetter d = rejected(null, json);
        assertThat(d.error).as(what).contains(reason);
        assertThat(d.raw).isEqualTo(json);
    }

    @Test
    void refusesWhatTheOperatorRefusesWithTheSameReason() {
        EventValidator validator = new EventValidator(500, 64);
        EventCodec strict = new EventCodec(1 << 20, validator);
        List<IndexEvent> bad = List.of(
                IndexEvent.upsert("k", "x".repeat(513), new float[] {1}, null),
                IndexEvent.upsert("k".repeat(257), "a", new float[] {1}, null),
                IndexEvent.upsert("k", "a", new float[] {1}, "{\"pad\":\"" + "x".repeat(100) + "\"}"),
                IndexEvent.query("k", "q", new float[] {1}, 1001, 0),
                IndexEvent.query("k", "q", new float[] {1}, 10, 501),
                IndexEvent.delete("k", ""));
        for (IndexEvent e : bad) {
            String reason = validator.check(e);
            assertThat(reason).as("operator reason for %s", e).isNotNull();
            RawRecord r = record(null, EventCodec.encode(e, VectorEncoding.JSON));
            assertThat(strict.decode(r).deadLetter.error).as("decoder reason for %s", e).isEqualTo(reason);
        }
        assertThat(validator.check(bad.get(2))).isEqualTo("payload is 110 bytes, over the limit of 64 bytes (--max-payload-bytes)");
        assertThat(validator.check(bad.get(0))).isEqualTo("field 'id' is 513 characters, longer than 512");
    }

    @Test
    void decodesTheQueryFormsGetAndPayloadOnlyUpsertAndEncodesThemBack() {
        List<IndexEvent> events = List.of(
                codec.decode(record("s", "{\"op\":\"query\",\"key\":\"s\",\"queryId\":\"q-8\",\"id\":\"item-42\",\"k\":10}")).event,
                codec.decode(record("s", "{\"op\":\"query\",\"key\":\"s\",\"queryId\":\"q\",\"like\":[\"a\",\"b\"],"
                        + "\"unlike\":[\"c\"],\"strategy\":\"average_vector\",\"k\":3,\"ef\":40,\"vote\":\"label\"}")).event,
                codec.decode(record("s", "{\"op\":\"get\",\"key\":\"s\",\"queryId\":\"g\",\"id\":\"a\"}")).event,
                codec.decode(record("s", "{\"op\":\"upsert\",\"key\":\"s\",\"id\":\"a\",\"payload\":{\"price\":3}}")).event);
        assertThat(events.get(0)).isEqualTo(IndexEvent.queryById("s", "q-8", "item-42", 10, 0).from("hnsw-events", 1, 42L));
        assertThat(events.get(1)).isEqualTo(IndexEvent.queryByExamples("s", "q", new String[] {"a", "b"},
                new String[] {"c"}, 3, 40).withVote("label").from("hnsw-events", 1, 42L));
        assertThat(events.get(2)).isEqualTo(IndexEvent.get("s", "g", "a").from("hnsw-events", 1, 42L));
        assertThat(events.get(3)).isEqualTo(IndexEvent.upsert("s", "a", null, "{\"price\":3}").from("hnsw-events", 1, 42L));
        for (IndexEvent e : events) {
            assertThat(codec.decode(record(null, EventCodec.encode(e, VectorEncoding.JSON))).event).isEqualTo(e);
        }
    }

    @Test
    void decodesSubscribeAndUnsubscribeAndEncodesThemBack() {
        List<IndexEvent> events = List.of(
                codec.decode(record("shop-1", "{\"op\":\"subscribe\",\"key\":\"shop-1\",\"subscriptionId\":\"s-1\","
                        + "\"id\":\"item-42\",\"k\":10}")).event,
                codec.decode(record("shop-1", "{\"op\":\"subscribe\",\"key\":\"shop-1\",\"subscriptionId\":\"s-2\","
                        + "\"vector\":[0.5,1],\"k\":3,\"ef\":40}")).event,
                codec.decode(record("shop-1", "{\"op\":\"unsubscribe\",\"key\":\"shop-1\",\"subscriptionId\":\"s-1\"}")).event);
        assertThat(events.get(0)).isEqualTo(IndexEvent.subscribe("shop-1", "s-1", "item-42", null, 10, 0)
                .from("hnsw-events", 1, 42L));
        assertThat(events.get(1)).isEqualTo(IndexEvent.subscribe("shop-1", "s-2", null, new float[] {0.5f, 1f}, 3, 40)
                .from("hnsw-events", 1, 42L));
        assertThat(events.get(2)).isEqualTo(IndexEvent.unsubscribe("shop-1", "s-1").from("hnsw-events", 1, 42L));
        for (IndexEvent e : events) {
            assertThat(codec.decode(record(null, EventCodec.encode(e, VectorEncoding.B64))).event).isEqualTo(e);
        }
    }

    @Test
    void aRefusedQueryOrGetWithAReadableQueryIdIsAlsoPassedOnForItsAnswer() {
        EventCodec.Decoded q = codec.decode(record("s", "{\"op\":\"query\",\"key\":\"s\",\"queryId\":\"q-1\",\"k\":0,\"vector\":[1]}"));
        assertThat(q.deadLetter.error).startsWith("k is 0");
        assertThat(q.refused).isEqualTo(IndexEvent.refused(IndexEvent.Op.QUERY, "s", "q-1", q.deadLetter.error)
                .from("hnsw-events", 1, 42L));
        EventCodec.Decoded g = codec.decode(record(null, "{\"op\":\"GET\",\"queryId\":\"g-1\"}"));
        assertThat(g.refused).isEqualTo(IndexEvent.refused(IndexEvent.Op.GET, "default", "g-1", "missing field 'id'")
                .from("hnsw-events", 1, 42L));
        // no answer where there is no readable queryId, or the event is not a query or get
        assertThat(codec.decode(record(null, "{\"op\":\"query\",\"queryId\":\"q\",\"k\":1,\"vector\":[1")).refused).isNull();
        assertThat(codec.decode(record(null, "{\"op\":\"query\",\"queryId\":7,\"k\":1}")).refused).isNull();
        assertThat(codec.decode(record(null, "{\"op\":\"query\",\"queryId\":\"\",\"k\":1}")).refused).isNull();
        assertThat(codec.decode(record(null, "{\"op\":\"upsert\",\"queryId\":\"q\",\"id\":\"a\"}")).refused).isNull();
        assertThat(codec.decode(record(null, "{\"op\":\"query\",\"queryId\":\"q\",\"k\":1,\"vector\":[1]}")).refused).isNull();
    }

    @Test
    void rejectsAVectorOverTheDimensionLimit() {
        String json = "{\"op\":\"upsert\",\"id\":\"a\",\"vector\":[" + "0,".repeat(4096) + "0]}";
        EventCodec big = new EventCodec(1 << 20, new EventValidator(500, 16 * 1024));
        assertThat(big.decode(record(null, json)).deadLetter.error).contains("vector has 4097 components, must have 1..4096");
    }

    @Test
    void rejectsARecordKeyThatDisagreesWithTheEventKey() {
        assertThat(rejected("shop-2", "{\"op\":\"delete\",\"key\":\"shop-1\",\"id\":\"a\"}").error)
                .contains("record key 'shop-2' does not match the event's key 'shop-1'");
        assertThat(rejected("shop-2", "{\"op\":\"delete\",\"id\":\"a\"}").error)
                .as("a missing key field means 'default'").contains("does not match the event's key 'default'");
    }

    @Test
    void rejectsOversizeMessagesAndCutsTheirText() {
        EventCodec small = new EventCodec(100_000, new EventValidator(500, 16 * 1024));
        String json = "{\"op\":\"upsert\",\"id\":\"a\",\"vector\":[" + "1.5,".repeat(40_000) + "1]}";
        DeadLetter d = small.decode(record(null, json)).deadLetter;
        assertThat(d.error).contains("over the limit of 100000 bytes");
        assertThat(d.rawBytes).isEqualTo(json.length());
        assertThat(d.raw).hasSize(DeadLetter.MAX_RAW_BYTES);
        assertThat(json).startsWith(d.raw);
    }

    @Test
    void rejectsInvalidUtf8InValueAndKey() {
        byte[] value = "{\"op\":\"delete\",\"id\":\"a\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        value[value.length - 4] = (byte) 0xC3;
        value[value.length - 3] = (byte) 0x28;
        DeadLetter d = codec.decode(record(null, value)).deadLetter;
        assertThat(d.error).isEqualTo("message is not valid UTF-8 (first bad byte at offset " + (value.length - 4) + ")");
        assertThat(d.raw).contains("\uFFFD");
        byte[] ok = "{\"op\":\"delete\",\"id\":\"a\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(codec.decode(record(new byte[] {(byte) 0xFF}, ok)).deadLetter.error).isEqualTo("record key is not valid UTF-8");
    }

    @Test
    void rejectsEmptyAndNullMessages() {
        assertThat(codec.decode(record(null, (byte[]) null)).deadLetter.error).startsWith("empty message");
        assertThat(codec.decode(record(null, new byte[0])).deadLetter.error).startsWith("empty message");
    }

    @Test
    void cutsRawTextOnACharacterBoundary() {
        String s = "\u00e9".repeat(40_000);
        String cut = Text.cut(s, DeadLetter.MAX_RAW_BYTES);
        assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isEqualTo(DeadLetter.MAX_RAW_BYTES);
        assertThat(Text.cut("\u00e9\u00e9", 3)).isEqualTo("\u00e9");
    }
}
