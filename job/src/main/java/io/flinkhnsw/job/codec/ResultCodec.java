package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.operators.Neighbour;
import io.flinkhnsw.operators.QueryResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link QueryResult} to and from its output-topic JSON:
 * {@code {"queryId":..,"key":..,"neighbours":[{"id":..,"distance":..,"payload":{..}}],"indexSize":..,"tookMicros":..}}.
 * Payloads are stored as JSON text and written through unchanged; distances are written as the
 * shortest decimal that reads back as the same float, so a parsed result equals the original.
 */
public final class ResultCodec {
    private ResultCodec() {
    }

    public static byte[] toJson(QueryResult r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 64 * (r.neighbours == null ? 0 : r.neighbours.size()));
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("queryId", r.queryId);
            g.writeStringField("key", r.key);
            g.writeArrayFieldStart("neighbours");
            if (r.neighbours != null) {
                for (Neighbour n : r.neighbours) {
                    g.writeStartObject();
                    g.writeStringField("id", n.id);
                    g.writeNumberField("distance", n.distance);
                    if (n.payload != null) {
                        g.writeFieldName("payload");
                        g.writeRawValue(n.payload);
                    }
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeNumberField("indexSize", r.indexSize);
            g.writeNumberField("tookMicros", r.tookMicros);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static QueryResult fromJson(byte[] json) {
        try {
            JsonNode o = Json.MAPPER.readTree(json);
            List<Neighbour> ns = new ArrayList<>();
            for (JsonNode n : o.path("neighbours")) {
                JsonNode p = n.get("payload");
                ns.add(new Neighbour(n.get("id").textValue(), n.get("distance").floatValue(),
                        p == null || p.isNull() ? null : p.toString()));
            }
            return new QueryResult(o.get("queryId").textValue(), o.get("key").textValue(), ns,
                    o.get("indexSize").intValue(), o.path("tookMicros").longValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
