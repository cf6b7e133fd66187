package io.flinkhnsw.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code --name value} command-line flags against a fixed set of known names with defaults,
 * so a misspelt flag is an error instead of being silently ignored. Flags listed as switches take
 * no value.
 */
public final class Flags {
    private final Map<String, String> values;

    private Flags(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param defaults every accepted flag name (without dashes) with its default, null for "required or absent"
     * @param switches flags that take no value; present means "true"
     */
    public static Flags parse(String[] args, Map<String, String> defaults, Set<String> switches) {
        Map<String, String> values = new LinkedHashMap<>(defaults);
        for (String s : switches) {
            values.putIfAbsent(s, "false");
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (flags are --name value)");
            }
            String name = arg.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!values.containsKey(name)) {
                List<String> known = new ArrayList<>(values.keySet());
                Collections.sort(known);
                throw new IllegalArgumentException("unknown flag --" + name + " (known: --" + String.join(", --", known) + ")");
            }
            if (switches.contains(name)) {
                values.put(name, inline == null ? "true" : inline);
            } else if (inline != null) {
                values.put(name, inline);
            } else if (i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("flag --" + name + " needs a value");
            }
        }
        return new Flags(values);
    }

    public boolean has(String name) {
        return values.get(name) != null;
    }

    public String string(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    public int integer(String name) {
        try {
            return Integer.parseInt(string(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + values.get(name) + "'");
        }
    }

    public long longValue(String name) {
        try {
            return Long.parseLong(string(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + values.get(name) + "'");
        }
    }

    public double decimal(String name) {
        try {
            return Double.parseDouble(string(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + values.get(name) + "'");
        }
    }

    public boolean bool(String name) {
        return Boolean.parseBoolean(string(name));
    }

    /** A comma-separated list of whole numbers, e.g. {@code 10,20,40}. */
    public int[] integers(String name) {
        String[] parts = string(name).split(",");
        List<Integer> out = new ArrayList<>();
        for (String p : parts) {
            if (!p.isBlank()) {
                try {
                    out.add(Integer.parseInt(p.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--" + name + " must be comma-separated whole numbers, got '"
                            + values.get(name) + "'");
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
