package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.operators.SubscriptionUpdate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SubscriptionUpdate} to and from its updates-topic JSON:
 * {@code {"subscriptionId":..,"key":..,"neighbours":[..as in results..],"added":[ids],"removed":[ids],
 * "cause":{"op":"upsert","id":..},"sequence":N}}, or for the last message of a subscription
 * {@code {"subscriptionId":..,"key":..,"ended":"reason","sequence":N}}. Neighbours are written as
 * {@link ResultCodec} writes them, so a parsed update equals the original.
 */
public final class UpdateCodec {
    private UpdateCodec() {
    }

    public static byte[] toJson(SubscriptionUpdate u) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 64 * (u.neighbours == null ? 0 : u.neighbours.size()));
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("subscriptionId", u.subscriptionId);
            g.writeStringField("key", u.key);
            if (u.ended != null) {
                g.writeStringField("ended", u.ended);
            } else {
                ResultCodec.writeNeighbourList(u.neighbours, g);
                writeIds(g, "added", u.added);
                writeIds(g, "removed", u.removed);
                g.writeObjectFieldStart("cause");
                g.writeStringField("op", u.causeOp);
                if (u.causeId != null) {
                    g.writeStringField("id", u.causeId);
                }
                g.writeEndObject();
            }
            g.writeNumberField("sequence", u.sequence);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeIds(JsonGenerator g, String field, List<String> ids) throws IOException {
        g.writeArrayFieldStart(field);
        for (String id : ids) {
            g.writeString(id);
        }
        g.writeEndArray();
    }

    public static SubscriptionUpdate fromJson(byte[] json) {
        try {
            JsonNode o = Json.MAPPER.readTree(json);
            SubscriptionUpdate u = new SubscriptionUpdate();
            u.subscriptionId = o.get("subscriptionId").textValue();
            u.key = o.path("key").textValue();
            u.sequence = o.path("sequence").longValue();
            u.ended = o.path("ended").textValue();
            if (u.ended == null) {
                u.neighbours = ResultCodec.readNeighbourList(o);
                u.added = ids(o.path("added"));
                u.removed = ids(o.path("removed"));
                u.causeOp = o.path("cause").path("op").textValue();
                u.causeId = o.path("cause").path("id").textValue();
            }
            return u;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> ids(JsonNode array) {
        List<String> ids = new ArrayList<>(array.size());
        array.forEach(id -> ids.add(id.textValue()));
        return ids;
    }
}
