package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.operators.EventValidator;
import io.flinkhnsw.operators.IndexEvent;

import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * JSON events (upsert, delete, query, and drop of a whole key) to {@link IndexEvent}s and back.
 * {@link #decode} checks what only the bytes and the
 * JSON can tell (size, UTF-8, JSON shape, op, field types, the key against the record key), then
 * hands the parsed event to the same {@link EventValidator} the index operator uses (required
 * fields, lengths, dimension, finite components, k, ef, payload), and returns either the event or a
 * {@link DeadLetter} whose reason says what to fix. A wrong dimension for a key's existing index is
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

    /** The outcome of decoding one record: exactly one of the two fields is set. */
    public static final class Decoded {
        public final IndexEvent event;
        public final DeadLetter deadLetter;

        private Decoded(IndexEvent event, DeadLetter deadLetter) {
            this.event = event;
            this.deadLetter = deadLetter;
        }
    }

    /** Thrown inside decoding with the reason; turned into a dead letter at the top. */
    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    public Decoded decode(RawRecord r) {
        try {
            IndexEvent e = parse(r);
            String reason = validator.check(e);
            if (reason != null) {
                throw new Invalid(reason);
            }
            return new Decoded(e.from(r.topic, r.partition, r.offset), null);
        } catch (Invalid e) {
            return new Decoded(null, deadLetter(e.getMessage(), r));
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
        byte[] raw = encode(e).getBytes(StandardCharsets.UTF_8);
        return new DeadLetter(reason, e.sourceTopic, e.sourcePartition, e.sourceOffset, e.key,
                Text.lenientCut(raw, DeadLetter.MAX_RAW_BYTES), raw.length);
    }

    private IndexEvent parse(RawRecord r) throws Invalid {
        if (r.value == null || r.value.length == 0) {
            throw new Invalid("empty message: an event is a JSON object (to delete an id send {\"op\":\"delete\",...})");
        }
        if (r.value.length > maxMessageBytes) {
            throw new Invalid("message is " + r.value.length + " bytes, over the limit of " + maxMessageBytes
                    + " bytes (--max-message-bytes)");
        }
        int bad = Text.invalidUtf8Offset(r.value);
        if (bad >= 0) {
            throw new Invalid("message is not valid UTF-8 (first bad byte at offset " + bad + ")");
        }
        String recordKey = null;
        if (r.key != null) {
            if (Text.invalidUtf8Offset(r.key) >= 0) {
                throw new Invalid("record key is not valid UTF-8");
            }
            recordKey = new String(r.key, StandardCharsets.UTF_8);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(r.value);
        } catch (JacksonException e) {
            // Jackson names the input "REDACTED" in nested locations; keep just line and column.
            String msg = e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[");
            throw new Invalid("malformed JSON: " + msg + locate(e));
        } catch (java.io.IOException e) {
            throw new Invalid("malformed JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        String op = text(root, "op");
        if (op == null) {
            throw new Invalid("missing field 'op'");
        }
        String key = text(root, "key");
        if (key == null) key = DEFAULT_KEY;
        if (recordKey != null && !recordKey.equals(key)) {
            throw new Invalid("record key '" + Text.cut(recordKey, 200) + "' does not match the event's key '"
                    + Text.cut(key, 200) + "' (the record key must be the partition key, or absent)");
        }
        switch (op.toLowerCase(Locale.ROOT)) {
            case "upsert":
                return IndexEvent.upsert(key, text(root, "id"), vector(root), payload(root));
            case "delete":
                return IndexEvent.delete(key, text(root, "id"));
            case "drop":
                return IndexEvent.drop(key);
            case "query":
                return IndexEvent.query(key, text(root, "queryId"), vector(root), requiredInt(root, "k"),
                        root.hasNonNull("ef") ? requiredInt(root, "ef") : 0);
            default:
                throw new Invalid("unknown op '" + Text.cut(op, 100) + "' (expected upsert, delete, query or drop)");
        }
    }

    private static String locate(JacksonException e) {
        return e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    /** A string field's value; null when absent. Lengths and emptiness are the validator's. */
    private static String text(JsonNode root, String field) throws Invalid {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) {
            throw new Invalid("field '" + field + "' must be a string, got " + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return n.textValue();
    }

    private static int requiredInt(JsonNode root, String field) throws Invalid {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new Invalid("missing field '" + field + "'");
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new Invalid("field '" + field + "' must be an integer, got " + Text.cut(n.toString(), 100));
        }
        return n.intValue();
    }

    /** The vector's components as floats (NaN and overflow checked by the validator); null when absent. */
    private static float[] vector(JsonNode root) throws Invalid {
        JsonNode n = root.get("vector");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new Invalid("field 'vector' must be an array of numbers");
        }
        float[] v = new float[n.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode c = n.get(i);
            if (!c.isNumber()) {
                throw new Invalid("vector[" + i + "] is not a number: " + Text.cut(c.toString(), 100));
            }
            v[i] = c.floatValue();
        }
        return v;
    }

    private static String payload(JsonNode root) throws Invalid {
        JsonNode n = root.get("payload");
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) {
            throw new Invalid("field 'payload' must be a JSON object");
        }
        return n.toString();
    }

    /** The JSON text of an event (what {@link #decode} accepts); used by producers and to show rejected events. */
    public static String encode(IndexEvent e) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("op", e.op.name().toLowerCase(Locale.ROOT));
        o.put("key", e.key);
        if (e.id != null) o.put("id", e.id);
        if (e.queryId != null) o.put("queryId", e.queryId);
        if (e.vector != null) {
            ArrayNode a = o.putArray("vector");
            for (float f : e.vector) a.add(f);
        }
        if (e.payload != null) {
            try {
                o.set("payload", Json.MAPPER.readTree(e.payload));
            } catch (JsonProcessingException ex) {
                o.put("payload", e.payload);
            }
        }
        if (e.op == IndexEvent.Op.QUERY) {
            o.put("k", e.k);
            if (e.ef > 0) o.put("ef", e.ef);
        }
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
