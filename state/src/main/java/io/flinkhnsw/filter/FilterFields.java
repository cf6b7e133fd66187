package io.flinkhnsw.filter;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The payload fields a key may be filtered on, with their types: what {@code --filter-fields
 * 'color:keyword,price:number,in_stock:bool'} declares (dotted paths for nested fields). Only these
 * fields are indexed in memory; a filter on any other is refused. Immutable.
 */
public final class FilterFields implements Serializable {
    private static final long serialVersionUID = 1L;
    /** No filterable field: keys keep no field index and refuse every filter. */
    public static final FilterFields NONE = new FilterFields(new LinkedHashMap<>());

    private final LinkedHashMap<String, FieldType> types;

    private FilterFields(LinkedHashMap<String, FieldType> types) {
        this.types = types;
    }

    /**
     * Parses {@code "path:type,path:type"} ({@code type} keyword, number or bool; {@code |} may
     * separate entries too, for use inside {@code --key-overrides}); blank gives {@link #NONE}.
     */
    public static FilterFields parse(String spec) {
        LinkedHashMap<String, FieldType> types = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        for (String entry : spec.split("[,|]")) {
            int colon = entry.lastIndexOf(':');
            String path = colon < 0 ? "" : entry.substring(0, colon).trim();
            if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
                throw new IllegalArgumentException("filter field '" + entry.trim() + "' is not PATH:TYPE"
                        + " (e.g. color:keyword, price:number, shipping.free:bool)");
            }
            if (types.put(path, FieldType.parse(entry.substring(colon + 1))) != null) {
                throw new IllegalArgumentException("filter field '" + path + "' is declared twice");
            }
        }
        return new FilterFields(types);
    }

    public boolean isEmpty() {
        return types.isEmpty();
    }

    /** The declared type of {@code path}; null when it is not declared. */
    public FieldType type(String path) {
        return types.get(path);
    }

    /** The declared fields in declaration order. */
    public Map<String, FieldType> types() {
        return Collections.unmodifiableMap(types);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilterFields f && f.types.equals(types);
    }

    @Override
    public int hashCode() {
        return types.hashCode();
    }

    /** The spec this parses from. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        types.forEach((path, type) -> b.append(b.length() == 0 ? "" : ",").append(path).append(':').append(type.cliName()));
        return b.toString();
    }
}
