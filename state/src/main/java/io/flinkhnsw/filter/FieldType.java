package io.flinkhnsw.filter;

import java.util.Locale;

/** The type of a filterable payload field, as declared with {@code --filter-fields}. */
public enum FieldType {
    /** Strings, matched by equality ({@code match}, {@code any}). */
    KEYWORD,
    /** Numbers, matched by {@code range} (and {@code match} of a number, an equality range). */
    NUMBER,
    /** true/false, matched by {@code match}. */
    BOOL;

    /** The name used in {@code --filter-fields}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static FieldType parse(String name) {
        for (FieldType t : values()) {
            if (t.cliName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown field type '" + name + "' (keyword, number or bool)");
    }
}
