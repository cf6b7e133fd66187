package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.job.codec.EventFields.Field;
import io.flinkhnsw.operators.EventValidator;
import io.flinkhnsw.operators.IndexEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * JSON events (upsert, delete, query, get, subscribe, unsubscribe, and drop of a whole key) to {@link IndexEvent}s and back.
 * {@link #decode} checks what only the bytes and the JSON can tell (size, UTF-8, JSON shape, op,
 * field types, the key against the record key, a vector given once, as a JSON array or as
 * {@code vector_b64}: see {@link EventFields}), then
 * hands the parsed event to the same {@link EventValidator} the index operator uses (required
 * fields, lengths, dimension, finite components, k, ef, payload), and returns either the event or a
 * {@link DeadLetter} whose reason says what to fix; for a refused query or get with a readable
 * {@code queryId} also an {@link IndexEvent#refused} event, which the index operator answers with
 * the error on the results topic. A wrong dimension for a key's existing index is
 * only known to the keyed operator, which rejects it there. Limits: {@link Limits}.
 */
public final class EventCodec implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_KEY = "default";

    private final int maxMessageBytes;
    private final EventValidator validator;

    public EventCodec(int maxMessageBytes, EventValidator validator) {
        this.maxMessageBytes = maxMessageBytes;
        this.validator = validator;
    }

    /**
     * The outcome of decoding one record: exactly one of {@code event} and {@code deadLetter} is
     * set; {@code refused} is set with a dead letter of a query or get that has a readable queryId.
     */
    public static final class Decoded {
        public final IndexEvent event;
        public final DeadLetter deadLetter;
        public final IndexEvent refused;

        private Decoded(IndexEvent event, DeadLetter deadLetter, IndexEvent refused) {
            this.event = event;
            this.deadLetter = deadLetter;
            this.refused = refused;
        }
    }

    public Decoded decode(RawRecord r) {
        EventFields fields = null;
        try {
            fields = read(r);
            IndexEvent e = parse(fields, r);
            String reason = validator.check(e);
            if (reason != null) {
                throw new InvalidEvent(reason);
            }
            return new Decoded(e.from(r.topic, r.partition, r.offset), null, null);
        } catch (InvalidEvent e) {
            return new Decoded(null, deadLetter(e.getMessage(), r), fields == null ? null : refused(fields, e.getMessage(), r));
        }
    }

    /** The event carrying a refused query's or get's error answer, when its op and a usable queryId can be read; else null. */
    private static IndexEvent refused(EventFields f, String reason, RawRecord r) {
        try {
            String op = f.text(Field.OP);
            String queryId = f.text(Field.QUERY_ID);
            boolean get = "get".equalsIgnoreCase(op);
            if (!(get || "query".equalsIgnoreCase(op)) || queryId == null || queryId.isEmpty()
                    || queryId.length() > Limits.MAX_ID_CHARS) {
                return null;
            }
            String key = f.text(Field.KEY);
            return IndexEvent.refused(get ? IndexEvent.Op.GET : IndexEvent.Op.QUERY, key == null ? DEFAULT_KEY : key,
                    queryId, reason).from(r.topic, r.partition, r.offset);
        } catch (InvalidEvent unreadable) {
            return null;
        }
    }

    /** A dead letter for a record, with its text cut to {@link DeadLetter#MAX_RAW_BYTES}. */
    public static DeadLetter deadLetter(String reason, RawRecord r) {
        String key = r.key == null ? null : Text.lenientCut(r.key, Limits.MAX_KEY_CHARS * 4);
        return new DeadLetter(reason, r.topic, r.partition, r.offset, key,
                Text.lenientCut(r.value, DeadLetter.MAX_RAW_BYTES), r.value == null ? 0 : r.value.length);
    }

    /** A dead letter for an event the index operator refused; its text is the event re-rendered as JSON. */
    public static DeadLetter rejected(String reason, IndexEvent e) {
        byte[] raw = encode(e, VectorEncoding.JSON);
        return new DeadLetter(reason, e.sourceTopic, e.sourcePartition, e.sourceOffset, e.key,
                Text.lenientCut(raw, DeadLetter.MAX_RAW_BYTES), raw.length);
    }

    /** Checks size and UTF-8, then reads the JSON fields. */
    private EventFields read(RawRecord r) throws InvalidEvent {
        if (r.value == null || r.value.length == 0) {
            throw new InvalidEvent("empty message: an event is a JSON object (to delete an id send {\"op\":\"delete\",...})");
        }
        if (r.value.length > maxMessageBytes) {
            throw new InvalidEvent("message is " + r.value.length + " bytes, over the limit of " + maxMessageBytes
                    + " bytes (--max-message-bytes)");
        }
        int bad = Text.invalidUtf8Offset(r.value);
        if (bad >= 0) {
            throw new InvalidEvent("message is not valid UTF-8 (first bad byte at offset " + bad + ")");
        }
        return EventFields.read(r.value);
    }

    private static IndexEvent parse(EventFields f, RawRecord r) throws InvalidEvent {
        String recordKey = null;
        if (r.key != null) {
            if (Text.invalidUtf8Offset(r.key) >= 0) {
                throw new InvalidEvent("record key is not valid UTF-8");
            }
            recordKey = new String(r.key, StandardCharsets.UTF_8);
        }
        String op = f.text(Field.OP);
        if (op == null) {
            throw new InvalidEvent("missing field 'op'");
        }
        String key = f.text(Field.KEY);
        if (key == null) key = DEFAULT_KEY;
        if (recordKey != null && !recordKey.equals(key)) {
            throw new InvalidEvent("record key '" + Text.cut(recordKey, 200) + "' does not match the event's key '"
                    + Text.cut(key, 200) + "' (the record key must be the partition key, or absent)");
        }
        switch (op.toLowerCase(Locale.ROOT)) {
            case "upsert":
                return IndexEvent.upsert(key, f.text(Field.ID), f.vector(), f.payload());
            case "delete":
                return IndexEvent.delete(key, f.text(Field.ID));
            case "drop":
                return IndexEvent.drop(key);
            case "query":
                Integer k = f.integer(Field.K);
                if (k == null) {
                    throw new InvalidEvent("missing field 'k'");
                }
                Integer ef = f.integer(Field.EF);
                IndexEvent query = IndexEvent.query(key, f.text(Field.QUERY_ID), f.vector(), k, ef == null ? 0 : ef);
                query.id = f.text(Field.ID);
                query.like = f.texts(Field.LIKE);
                query.unlike = f.texts(Field.UNLIKE);
                query.filter = f.filter();
                strategy(f.text(Field.STRATEGY));
                return query.withVote(f.text(Field.VOTE));
            case "get":
                return IndexEvent.get(key, f.text(Field.QUERY_ID), f.text(Field.ID));
            case "subscribe":
                Integer subscriptionK = f.integer(Field.K);
                if (subscriptionK == null) {
                    throw new InvalidEvent("missing field 'k'");
                }
                Integer subscriptionEf = f.integer(Field.EF);
                IndexEvent subscribe = IndexEvent.subscribe(key, f.text(Field.SUBSCRIPTION_ID), f.text(Field.ID),
                        f.vector(), subscriptionK, subscriptionEf == null ? 0 : subscriptionEf);
                subscribe.like = f.texts(Field.LIKE);
                subscribe.unlike = f.texts(Field.UNLIKE);
                subscribe.filter = f.filter();
                return subscribe;
            case "unsubscribe":
                return IndexEvent.unsubscribe(key, f.text(Field.SUBSCRIPTION_ID));
            default:
                throw new InvalidEvent("unknown op '" + Text.cut(op, 100)
                        + "' (expected upsert, delete, query, get, subscribe, unsubscribe or drop)");
        }
    }

    /**
     * Checks the example strategy: {@code average_vector} (the default) is the only one; Qdrant's
     * {@code best_score} would score every candidate against every example during the walk, which
     * the graph search cannot do at the speed of one vector query (docs/ARCHITECTURE.md, "Query forms").
     */
    private static void strategy(String strategy) throws InvalidEvent {
        if (strategy != null && !strategy.equals("average_vector")) {
            throw new InvalidEvent("strategy '" + Text.cut(strategy, 100) + "' is not supported"
                    + (strategy.equals("best_score") ? " yet" : "") + ": the only strategy is 'average_vector'");
        }
    }

    /**
     * The JSON of an event, as {@link #decode} accepts it, with the vector as a JSON array or as
     * {@code vector_b64}; used by producers and to show rejected events. Written with Jackson's
     * streaming generator (shortest float text that reads back as the same float).
     */
    public static byte[] encode(IndexEvent e, VectorEncoding encoding) {
        int vectorBytes = e.vector == null ? 0 : e.vector.length * (encoding == VectorEncoding.B64 ? 6 : 16);
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + vectorBytes
                + (e.payload == null ? 0 : e.payload.length() * 3));
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("op", e.op.name().toLowerCase(Locale.ROOT));
            g.writeStringField("key", e.key);
            if (e.id != null) g.writeStringField("id", e.id);
            if (e.queryId != null) g.writeStringField("queryId", e.queryId);
            if (e.subscriptionId != null) g.writeStringField("subscriptionId", e.subscriptionId);
            if (e.vector != null && encoding == VectorEncoding.B64) {
                ByteBuffer b = ByteBuffer.allocate(e.vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(e.vector);
                g.writeFieldName("vector_b64");
                g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b.array(), 0, b.capacity());
            } else if (e.vector != null) {
                g.writeArrayFieldStart("vector");
                for (float f : e.vector) g.writeNumber(f);
                g.writeEndArray();
            }
            writeJsonOrText(g, "payload", e.payload);
            if (e.op == IndexEvent.Op.QUERY || e.op == IndexEvent.Op.SUBSCRIBE) {
                g.writeNumberField("k", e.k);
                if (e.ef > 0) g.writeNumberField("ef", e.ef);
                writeIds(g, "like", e.like);
                writeIds(g, "unlike", e.unlike);
                if (e.vote != null) g.writeStringField("vote", e.vote);
                writeJsonOrText(g, "filter", e.filter);
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** Writes {@code value} under {@code name} as the JSON it holds, or as a string when it is not JSON; nothing when null. */
    public static void writeJsonOrText(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            return;
        }
        if (isJson(value)) {
            g.writeFieldName(name);
            g.writeRawValue(value);
        } else {
            g.writeStringField(name, value);
        }
    }

    private static void writeIds(JsonGenerator g, String field, String[] ids) throws IOException {
        if (ids != null) {
            g.writeArrayFieldStart(field);
            for (String id : ids) g.writeString(id);
            g.writeEndArray();
        }
    }

    /** True when {@code text} is one JSON value, so it can be written into an event as it is. */
    private static boolean isJson(String text) {
        try (JsonParser p = Json.MAPPER.createParser(text)) {
            if (p.nextToken() == null) return false;
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
