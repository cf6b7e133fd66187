package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.operators.IndexEvent;

import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * JSON events (upsert, delete, query, and drop of a whole key) to {@link IndexEvent}s and back.
 * {@link #decode} validates everything that needs no
 * index (size, UTF-8, JSON shape, op, ids, key against the record key, vector finite and of a
 * dimension in 1..4096, k in 1..1000, ef in k..maxEf) and returns either the event or a
 * {@link DeadLetter} whose reason says what to fix. A wrong dimension for a key's existing index
 * is only known to the keyed operator, which rejects it there.
 */
public final class EventCodec implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_KEY = "default";
    public static final int MAX_KEY_CHARS = 256;
    public static final int MAX_ID_CHARS = 512;

    private final int maxMessageBytes;
    private final int maxEf;

    public EventCodec(int maxMessageBytes, int maxEf) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxEf = maxEf;
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
            return new Decoded(parse(r).from(r.topic, r.partition, r.offset), null);
        } catch (Invalid e) {
            return new Decoded(null, deadLetter(e.getMessage(), r));
        }
    }

    /** A dead letter for a record, with its text cut to {@link DeadLetter#MAX_RAW_BYTES}. */
    public static DeadLetter deadLetter(String reason, RawRecord r) {
        String key = r.key == null ? null : Text.lenientCut(r.key, MAX_KEY_CHARS * 4);
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
        String op = requiredText(root, "op", 16);
        String key = optionalText(root, "key", MAX_KEY_CHARS);
        if (key == null) key = DEFAULT_KEY;
        if (recordKey != null && !recordKey.equals(key)) {
            throw new Invalid("record key '" + Text.cut(recordKey, 200) + "' does not match the event's key '" + key
                    + "' (the record key must be the partition key, or absent)");
        }
        switch (op.toLowerCase(Locale.ROOT)) {
            case "upsert":
                return IndexEvent.upsert(key, requiredText(root, "id", MAX_ID_CHARS), vector(root), payload(root));
            case "delete":
                return IndexEvent.delete(key, requiredText(root, "id", MAX_ID_CHARS));
            case "drop":
                return IndexEvent.drop(key);
            case "query": {
                String queryId = requiredText(root, "queryId", MAX_ID_CHARS);
                float[] v = vector(root);
                int k = requiredInt(root, "k");
                if (k < 1 || k > HnswIndex.MAX_K) {
                    throw new Invalid("k is " + k + ", must be in 1.." + HnswIndex.MAX_K);
                }
                int ef = 0;
                if (root.hasNonNull("ef")) {
                    ef = requiredInt(root, "ef");
                    if (ef < k || ef > maxEf) {
                        throw new Invalid("ef is " + ef + ", must be in k.." + maxEf + " (k is " + k + ")");
                    }
                }
                return IndexEvent.query(key, queryId, v, k, ef);
            }
            default:
                throw new Invalid("unknown op '" + Text.cut(op, 100) + "' (expected upsert, delete, query or drop)");
        }
    }

    private static String locate(JacksonException e) {
        return e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    private static String requiredText(JsonNode root, String field, int maxChars) throws Invalid {
        String v = optionalText(root, field, maxChars);
        if (v == null) {
            throw new Invalid("missing field '" + field + "'");
        }
        return v;
    }

    private static String optionalText(JsonNode root, String field, int maxChars) throws Invalid {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) {
            throw new Invalid("field '" + field + "' must be a string, got " + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        String s = n.textValue();
        if (s.isEmpty()) {
            throw new Invalid("field '" + field + "' is empty");
        }
        if (s.length() > maxChars) {
            throw new Invalid("field '" + field + "' is " + s.length() + " characters, longer than " + maxChars);
        }
        return s;
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

    private static float[] vector(JsonNode root) throws Invalid {
        JsonNode n = root.get("vector");
        if (n == null || n.isNull()) {
            throw new Invalid("missing field 'vector'");
        }
        if (!n.isArray()) {
            throw new Invalid("field 'vector' must be an array of numbers");
        }
        int dim = n.size();
        if (dim < 1 || dim > HnswIndex.MAX_DIMENSION) {
            throw new Invalid("vector has " + dim + " components, must have 1.." + HnswIndex.MAX_DIMENSION);
        }
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            JsonNode c = n.get(i);
            if (!c.isNumber()) {
                throw new Invalid("vector[" + i + "] is not a number: " + Text.cut(c.toString(), 100));
            }
            float f = c.floatValue();
            if (Float.isNaN(f)) {
                throw new Invalid("vector[" + i + "] is NaN");
            }
            if (Float.isInfinite(f)) {
                throw new Invalid("vector[" + i + "] is infinite or too large for a 32-bit float");
            }
            v[i] = f;
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
