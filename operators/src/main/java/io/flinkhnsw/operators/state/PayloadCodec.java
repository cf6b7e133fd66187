package io.flinkhnsw.operators.state;

import java.nio.charset.StandardCharsets;

/** Encodes a vector's JSON payload text for keyed state. Layout v1: version, then UTF-8 to the end. */
public final class PayloadCodec {
    private PayloadCodec() {
    }

    public static byte[] encode(String payload) {
        byte[] text = payload.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[1 + text.length];
        out[0] = FormatVersions.PAYLOAD_V1;
        System.arraycopy(text, 0, out, 1, text.length);
        return out;
    }

    public static String decode(byte[] bytes) {
        if (bytes[0] != FormatVersions.PAYLOAD_V1) {
            throw FormatVersions.unsupported("payload", bytes[0]);
        }
        return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
    }
}
