package io.flinkhnsw.hnsw;

import java.nio.charset.StandardCharsets;

/**
 * A node's id as the graph keeps it: one byte array, no {@code String} object around it (24 bytes a
 * node less). The first byte says how the characters follow: {@link #LATIN1}, one byte each, for ids
 * whose characters all fit (the usual case), else {@link #UTF16}, two bytes each, big-endian. Equality
 * and hash compare against a {@code String} without building one; the hash is {@code String}'s own.
 */
final class IdBytes {
    private static final byte LATIN1 = 0;
    private static final byte UTF16 = 1;

    private IdBytes() {
    }

    static byte[] encode(String id) {
        int length = id.length();
        boolean latin1 = true;
        for (int i = 0; i < length && latin1; i++) {
            latin1 = id.charAt(i) <= 0xFF;
        }
        if (latin1) {
            byte[] bytes = new byte[1 + length];
            bytes[0] = LATIN1;
            for (int i = 0; i < length; i++) {
                bytes[1 + i] = (byte) id.charAt(i);
            }
            return bytes;
        }
        byte[] bytes = new byte[1 + 2 * length];
        bytes[0] = UTF16;
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            bytes[1 + 2 * i] = (byte) (c >>> 8);
            bytes[2 + 2 * i] = (byte) c;
        }
        return bytes;
    }

    static String decode(byte[] bytes) {
        return bytes[0] == LATIN1
                ? new String(bytes, 1, bytes.length - 1, StandardCharsets.ISO_8859_1)
                : new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_16BE);
    }

    /** Whether {@code bytes} encode {@code id}. */
    static boolean matches(byte[] bytes, String id) {
        int length = id.length();
        if (bytes[0] == LATIN1) {
            if (bytes.length != 1 + length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if ((bytes[1 + i] & 0xFF) != id.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
        if (bytes.length != 1 + 2 * length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (charAt(bytes, i) != id.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@link String#hashCode} of the id {@code bytes} encode. */
    static int hash(byte[] bytes) {
        int h = 0;
        if (bytes[0] == LATIN1) {
            for (int i = 1; i < bytes.length; i++) {
                h = 31 * h + (bytes[i] & 0xFF);
            }
        } else {
            for (int i = 0, length = (bytes.length - 1) / 2; i < length; i++) {
                h = 31 * h + charAt(bytes, i);
            }
        }
        return h;
    }

    private static char charAt(byte[] bytes, int i) {
        return (char) (((bytes[1 + 2 * i] & 0xFF) << 8) | (bytes[2 + 2 * i] & 0xFF));
    }
}
