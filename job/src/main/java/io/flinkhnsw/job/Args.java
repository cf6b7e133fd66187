package io.flinkhnsw.job;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value}, {@code --name=value} or a bare
 * {@code --flag}. Each reader takes what it knows; {@link #checkAllUsed()} then turns a typo into
 * an error rather than a silently ignored option.
 */
public final class Args {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new LinkedHashSet<>();

    public Args(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (options look like --name value)");
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                values.put(name, argv[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    public boolean has(String name) {
        used.add(name);
        return values.containsKey(name);
    }

    public String get(String name, String def) {
        used.add(name);
        return values.getOrDefault(name, def);
    }

    public boolean flag(String name) {
        used.add(name);
        String v = values.get(name);
        if (v == null) return false;
        if (v.equals("true") || v.equals("false")) return Boolean.parseBoolean(v);
        throw new IllegalArgumentException("--" + name + " takes no value, got '" + v + "'");
    }

    public int getInt(String name, int def) {
        String v = get(name, null);
        return v == null ? def : parse(name, v, Integer::parseInt);
    }

    public long getLong(String name, long def) {
        String v = get(name, null);
        return v == null ? def : parse(name, v, Long::parseLong);
    }

    public double getDouble(String name, double def) {
        String v = get(name, null);
        return v == null ? def : parse(name, v, Double::parseDouble);
    }

    /** Throws naming the first option nobody asked for. */
    public void checkAllUsed() {
        for (String k : values.keySet()) {
            if (!used.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + " (see --help)");
            }
        }
    }

    private static <T> T parse(String name, String v, java.util.function.Function<String, T> f) {
        try {
            return f.apply(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a number, got '" + v + "'");
        }
    }
}
