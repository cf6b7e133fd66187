package io.flinkhnsw.bench;

import java.util.Locale;

/** Builds one flat JSON object in field order, for benchmark output lines. */
public final class JsonLine {
    private final StringBuilder out = new StringBuilder("{");

    public JsonLine put(String name, String value) {
        key(name);
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    public JsonLine put(String name, long value) {
        key(name);
        out.append(value);
        return this;
    }

    /** Rounded to {@code digits} decimals; NaN and infinities become null. */
    public JsonLine put(String name, double value, int digits) {
        key(name);
        if (Double.isFinite(value)) {
            out.append(String.format(Locale.ROOT, "%." + digits + "f", value));
        } else {
            out.append("null");
        }
        return this;
    }

    public JsonLine put(String name, boolean value) {
        key(name);
        out.append(value);
        return this;
    }

    @Override
    public String toString() {
        return out + "}";
    }

    private void key(String name) {
        if (out.length() > 1) {
            out.append(", ");
        }
        quote(name);
        out.append(": ");
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
