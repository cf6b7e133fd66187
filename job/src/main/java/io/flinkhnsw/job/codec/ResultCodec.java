package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.operators.Neighbour;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.Vote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link QueryResult} to and from its output-topic JSON:
 * {@code {"queryId":..,"key":..,"neighbours":[{"id":..,"distance":..,"payload":{..}}],"indexSize":..,"tookMicros":..}},
 * with {@code "vote":{"value":..,"share":..}} (or {@code "vote":null}) when the query asked for one
 * and {@code "error":".."} when it could not be answered; the answer to a get is
 * {@code {"queryId":..,"key":..,"id":..,"vector":[..],"payload":{..}}} (vector null and
 * {@code "error"} set when the id is unknown or the get was refused).
 * Payloads are stored as JSON text and written through unchanged; distances are written as the
 * shortest decimal that reads back as the same float, so a parsed result equals the original.
 */
public final class ResultCodec {
    private ResultCodec() {
    }

    public static byte[] toJson(QueryResult r) {
        int vectorBytes = r.vector == null ? 0 : 16 * r.vector.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + vectorBytes
                + 64 * (r.neighbours == null ? 0 : r.neighbours.size()));
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("queryId", r.queryId);
            g.writeStringField("key", r.key);
            if (r.get) {
                writeGot(r, g);
            } else {
                writeNeighbours(r, g);
            }
            if (r.error != null) {
                g.writeStringField("error", r.error);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeNeighbours(QueryResult r, JsonGenerator g) throws IOException {
        writeNeighbourList(r.neighbours, g);
        g.writeNumberField("indexSize", r.indexSize);
        g.writeNumberField("tookMicros", r.tookMicros);
        if (r.vote != null) {
            g.writeFieldName("vote");
            if (r.vote.value == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                g.writeFieldName("value");
                g.writeRawValue(r.vote.value);
                g.writeNumberField("share", r.vote.share);
                g.writeEndObject();
            }
        }
    }

    /** {@code "neighbours":[{"id":..,"distance":..,"payload":{..}}]}, as results and subscription updates carry them. */
    static void writeNeighbourList(List<Neighbour> neighbours, JsonGenerator g) throws IOException {
        g.writeArrayFieldStart("neighbours");
        if (neighbours != null) {
            for (Neighbour n : neighbours) {
                g.writeStartObject();
                g.writeStringField("id", n.id);
                g.writeNumberField("distance", n.distance);
                writePayload(n.payload, g);
                g.writeEndObject();
            }
        }
        g.writeEndArray();
    }

    /** The {@code neighbours} of a result or update object. */
    static List<Neighbour> readNeighbourList(JsonNode o) {
        List<Neighbour> ns = new ArrayList<>();
        for (JsonNode n : o.path("neighbours")) {
            ns.add(new Neighbour(n.get("id").textValue(), n.get("distance").floatValue(), payload(n)));
        }
        return ns;
    }

    private static void writeGot(QueryResult r, JsonGenerator g) throws IOException {
        if (r.id != null) {
            g.writeStringField("id", r.id);
        }
        g.writeFieldName("vector");
        if (r.vector == null) {
            g.writeNull();
        } else {
            g.writeStartArray();
            for (float f : r.vector) g.writeNumber(f);
            g.writeEndArray();
        }
        writePayload(r.payload, g);
    }

    private static void writePayload(String payload, JsonGenerator g) throws IOException {
        if (payload != null) {
            g.writeFieldName("payload");
            g.writeRawValue(payload);
        }
    }

    public static QueryResult fromJson(byte[] json) {
        try {
            JsonNode o = Json.MAPPER.readTree(json);
            List<Neighbour> ns = readNeighbourList(o);
            QueryResult r = new QueryResult(o.get("queryId").textValue(), o.path("key").textValue(), ns,
                    o.path("indexSize").intValue(), o.path("tookMicros").longValue());
            r.error = o.path("error").textValue();
            JsonNode vote = o.get("vote");
            if (vote != null) {
                r.vote = vote.isNull() ? new Vote(null, 0) : new Vote(vote.get("value").toString(), vote.get("share").doubleValue());
            }
            r.get = !o.has("neighbours");
            if (r.get) {
                r.id = o.path("id").textValue();
                JsonNode v = o.path("vector");
                if (v.isArray()) {
                    r.vector = new float[v.size()];
                    for (int i = 0; i < r.vector.length; i++) r.vector[i] = v.get(i).floatValue();
                }
                r.payload = payload(o);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String payload(JsonNode o) {
        JsonNode p = o.get("payload");
        return p == null || p.isNull() ? null : p.toString();
    }
}
