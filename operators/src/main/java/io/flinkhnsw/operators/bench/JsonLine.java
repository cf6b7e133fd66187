package io.flinkhnsw.operators.bench;

import java.util.Locale;

/** Builds one flat JSON object for a line of benchmark output; strings are escaped minimally (quotes, backslashes, controls). */
final class JsonLine {
    private final StringBuilder sb = new StringBuilder("{");

    JsonLine put(String name, Object value) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append('"').append(name).append("\":");
        if (value instanceof Number || value instanceof Boolean) {
            sb.append(value instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : value.toString());
        } else {
            sb.append('"');
            for (char c : String.valueOf(value).toCharArray()) {
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            sb.append('"');
        }
        return this;
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
