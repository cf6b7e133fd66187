package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The fields of one event's JSON object, read in a single pass of Jackson's streaming parser:
 * vectors go straight into float arrays (no tree, no boxed numbers), {@code vector_b64} is decoded
 * from base64 of little-endian float32. Each known field holds its value or the reason it cannot be
 * used, which is reported only when the event's op asks for that field; unknown fields are skipped.
 * Malformed JSON anywhere in the record wins over any field problem, as it would in a tree parse.
 */
final class EventFields {
    /** The fields an event may carry. */
    enum Field {
        OP("op"), KEY("key"), ID("id"), QUERY_ID("queryId"), VECTOR("vector"), VECTOR_B64("vector_b64"),
        PAYLOAD("payload"), K("k"), EF("ef"), LIKE("like"), UNLIKE("unlike"), STRATEGY("strategy"), VOTE("vote"),
        FILTER("filter"), SUBSCRIPTION_ID("subscriptionId");

        final String json;

        Field(String json) {
            this.json = json;
        }

        static Field of(String name) {
            switch (name) {
                case "op": return OP;
                case "key": return KEY;
                case "id": return ID;
                case "queryId": return QUERY_ID;
                case "vector": return VECTOR;
                case "vector_b64": return VECTOR_B64;
                case "payload": return PAYLOAD;
                case "k": return K;
                case "ef": return EF;
                case "filter": return FILTER;
                case "like": return LIKE;
                case "unlike": return UNLIKE;
                case "strategy": return STRATEGY;
                case "vote": return VOTE;
                case "subscriptionId": return SUBSCRIPTION_ID;
                default: return null;
            }
        }
    }

    /** Reads one value of the event as a tree (payloads, and values quoted in reasons). */
    private static final ObjectReader VALUE = Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Object[] values = new Object[Field.values().length];
    private final String[] problems = new String[Field.values().length];

    private EventFields() {
    }

    /**
     * Reads the event object in {@code json}.
     *
     * @throws InvalidEvent for malformed JSON (with line and column) or a value that is not an object
     */
    static EventFields read(byte[] json) throws InvalidEvent {
        EventFields f = new EventFields();
        String notAnObject = null;
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    Field field = Field.of(p.currentName());
                    p.nextToken();
                    if (field == null) {
                        p.skipChildren();
                    } else {
                        f.read(field, p);
                    }
                }
            } else {
                notAnObject = "expected a JSON object, got " + (t == null ? "nothing" : kind(t));
                p.skipChildren();
            }
            if (p.nextToken() != null) {
                throw new InvalidEvent("malformed JSON: more content after the event" + locate(p));
            }
        } catch (JacksonException e) {
            // Jackson names the input "REDACTED" in nested locations; keep just line and column.
            String msg = e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[");
            throw new InvalidEvent("malformed JSON: " + msg + (e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new InvalidEvent("malformed JSON: " + e.getMessage());
        }
        if (notAnObject != null) {
            throw new InvalidEvent(notAnObject);
        }
        return f;
    }

    /** A string field; null when absent or null. */
    String text(Field field) throws InvalidEvent {
        return (String) value(field);
    }

    /** An integer field; null when absent or null. */
    Integer integer(Field field) throws InvalidEvent {
        return (Integer) value(field);
    }

    /** A field holding an array of strings (example ids); null when absent or null. */
    String[] texts(Field field) throws InvalidEvent {
        return (String[]) value(field);
    }

    /** The JSON text of the payload object; null when absent or null. */
    String payload() throws InvalidEvent {
        return (String) value(Field.PAYLOAD);
    }

    /** The JSON text of the filter object; null when absent or null. */
    String filter() throws InvalidEvent {
        return (String) value(Field.FILTER);
    }

    /** The vector from {@code vector} or {@code vector_b64}; null when neither is given. */
    float[] vector() throws InvalidEvent {
        boolean json = values[Field.VECTOR.ordinal()] != null || problems[Field.VECTOR.ordinal()] != null;
        boolean b64 = values[Field.VECTOR_B64.ordinal()] != null || problems[Field.VECTOR_B64.ordinal()] != null;
        if (json && b64) {
            throw new InvalidEvent("the event has both 'vector' and 'vector_b64'; send the vector in one of them");
        }
        return (float[]) value(b64 ? Field.VECTOR_B64 : Field.VECTOR);
    }

    private Object value(Field field) throws InvalidEvent {
        String problem = problems[field.ordinal()];
        if (problem != null) {
            throw new InvalidEvent(problem);
        }
        return values[field.ordinal()];
    }

    private void read(Field field, JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        try {
            values[field.ordinal()] = switch (field) {
                case VECTOR -> floats(p);
                case VECTOR_B64 -> base64Floats(p);
                case PAYLOAD, FILTER -> object(field, p);
                case K, EF -> integer(field, p);
                case LIKE, UNLIKE -> texts(field, p);
                default -> text(field, p);
            };
        } catch (InvalidEvent e) {
            problems[field.ordinal()] = e.getMessage();
        }
    }

    private static String text(Field field, JsonParser p) throws IOException, InvalidEvent {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_STRING) {
            p.skipChildren();
            throw new InvalidEvent("field '" + field.json + "' must be a string, got " + kind(t));
        }
        return p.getText();
    }

    /** An array of strings; the count and each string's length are the validator's. */
    private static String[] texts(Field field, JsonParser p) throws IOException, InvalidEvent {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            throw new InvalidEvent("field '" + field.json + "' must be an array of ids (strings)");
        }
        List<String> ids = new ArrayList<>();
        String problem = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (problem == null && t != JsonToken.VALUE_STRING) {
                problem = field.json + "[" + ids.size() + "] must be a string, got " + kind(t);
            }
            if (problem != null) {
                p.skipChildren();
            } else {
                ids.add(p.getText());
            }
        }
        if (problem != null) {
            throw new InvalidEvent(problem);
        }
        return ids.toArray(new String[0]);
    }

    private static Integer integer(Field field, JsonParser p) throws IOException, InvalidEvent {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw new InvalidEvent("field '" + field.json + "' must be an integer, got " + describe(p));
        }
        return p.getIntValue();
    }

    private static String object(Field field, JsonParser p) throws IOException, InvalidEvent {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            throw new InvalidEvent("field '" + field.json + "' must be a JSON object");
        }
        return VALUE.readTree(p).toString();
    }

    /** The array's numbers as floats, rounded once from their decimal text; NaN and range are the validator's. */
    private static float[] floats(JsonParser p) throws IOException, InvalidEvent {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            throw new InvalidEvent("field 'vector' must be an array of numbers");
        }
        float[] v = new float[128];
        int n = 0;
        String problem = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (problem != null) {
                p.skipChildren();
            } else if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                if (n == v.length) {
                    v = Arrays.copyOf(v, n * 2);
                }
                v[n++] = p.getFloatValue();
            } else {
                problem = "vector[" + n + "] is not a number: " + describe(p);
            }
        }
        if (problem != null) {
            throw new InvalidEvent(problem);
        }
        return n == v.length ? v : Arrays.copyOf(v, n);
    }

    private static float[] base64Floats(JsonParser p) throws IOException, InvalidEvent {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            p.skipChildren();
            throw new InvalidEvent("field 'vector_b64' must be a string: base64 of little-endian float32");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(p.getText());
        } catch (IllegalArgumentException e) {
            throw new InvalidEvent("field 'vector_b64' is not valid base64: " + e.getMessage());
        }
        if (bytes.length % Float.BYTES != 0) {
            throw new InvalidEvent("field 'vector_b64' decodes to " + bytes.length
                    + " bytes, not a whole number of little-endian float32 (4 bytes each)");
        }
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** The current value as JSON text, cut for a reason; consumes it. */
    private static String describe(JsonParser p) throws IOException {
        return Text.cut(VALUE.readTree(p).toString(), 100);
    }

    /** The JSON type name of a value's first token, as a person would say it. */
    private static String kind(JsonToken t) {
        switch (t) {
            case START_OBJECT: return "object";
            case START_ARRAY: return "array";
            case VALUE_STRING: return "string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT: return "number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "boolean";
            case VALUE_NULL: return "null";
            default: return t.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static String locate(JsonParser p) {
        return " at line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr();
    }
}
