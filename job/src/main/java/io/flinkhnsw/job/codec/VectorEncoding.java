package io.flinkhnsw.job.codec;

import java.util.Locale;

/**
 * How a producer writes an event's vector: {@code json}, a JSON array of numbers in the field
 * {@code vector}, or {@code b64}, the field {@code vector_b64} holding the base64 (RFC 4648, with
 * padding) of the components as little-endian IEEE 754 float32, as embedding APIs emit them. The
 * job accepts either on every event; b64 is about half the bytes and needs no number parsing.
 */
public enum VectorEncoding {
    JSON,
    B64;

    /** The name used on the command line: json or b64. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
