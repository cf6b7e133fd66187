package io.flinkhnsw.job.codec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 helpers for the codecs: strict validation that says where it failed, and cutting text to a byte budget. */
final class Text {
    private Text() {
    }

    /** The offset of the first byte that is not valid UTF-8, or -1 when all of it is. */
    static int invalidUtf8Offset(byte[] bytes) {
        if (isAscii(bytes)) {
            return -1; // the common case, without decoding
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(Math.max(16, bytes.length));
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) return in.position();
        r = d.flush(out);
        return r.isError() ? in.position() : -1;
    }

    private static boolean isAscii(byte[] bytes) {
        int any = 0;
        for (byte b : bytes) {
            any |= b; // no early exit: the JIT vectorises the loop
        }
        return any >= 0;
    }

    /** Lenient decode (bad bytes become U+FFFD) cut to at most {@code maxBytes} of UTF-8, on a character boundary. */
    static String lenientCut(byte[] bytes, int maxBytes) {
        return bytes == null ? null : cut(new String(bytes, StandardCharsets.UTF_8), maxBytes);
    }

    static String cut(String s, int maxBytes) {
        int used = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + n > maxBytes) {
                return s.substring(0, i);
            }
            used += n;
            i += Character.charCount(cp);
        }
        return s;
    }
}
