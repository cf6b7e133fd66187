package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@link DeadLetter} to and from its dead-letter-topic JSON:
 * {@code {"error":..,"source":{"topic":..,"partition":..,"offset":..},"raw":..,"rawBytes":..}}.
 */
public final class DeadLetterCodec {
    private DeadLetterCodec() {
    }

    public static byte[] toJson(DeadLetter d) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("error", d.error);
        ObjectNode s = o.putObject("source");
        s.put("topic", d.topic);
        s.put("partition", d.partition);
        s.put("offset", d.offset);
        o.put("raw", d.raw);
        o.put("rawBytes", d.rawBytes);
        try {
            return Json.MAPPER.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DeadLetter fromJson(byte[] json, String recordKey) {
        try {
            JsonNode o = Json.MAPPER.readTree(json);
            JsonNode s = o.path("source");
            JsonNode raw = o.get("raw");
            return new DeadLetter(o.get("error").textValue(), s.path("topic").textValue(),
                    s.path("partition").asInt(-1), s.path("offset").asLong(-1), recordKey,
                    raw == null || raw.isNull() ? null : raw.textValue(), o.path("rawBytes").asInt());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
