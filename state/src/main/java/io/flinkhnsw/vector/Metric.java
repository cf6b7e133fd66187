package io.flinkhnsw.vector;

import java.util.Locale;

/**
 * The distance an index ranks by. Smaller is nearer for all three: squared L2; {@code 1 - dot} for
 * inner product (hnswlib's convention); {@code 1 - cosine} for cosine, computed as inner product
 * over vectors normalised on insert and on query.
 */
public enum Metric {
    L2("l2"),
    INNER_PRODUCT("ip"),
    COSINE("cosine");

    private final String cliName;

    Metric(String cliName) {
        this.cliName = cliName;
    }

    /** The short name used on command lines and in configuration: l2, ip or cosine. */
    public String cliName() {
        return cliName;
    }

    /** True when vectors are scaled to unit length before they are stored or searched. */
    public boolean normalises() {
        return this == COSINE;
    }

    public static Metric parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Metric m : values()) {
            if (m.cliName.equals(n) || m.name().toLowerCase(Locale.ROOT).equals(n)) {
                return m;
            }
        }
        if (n.equals("euclidean") || n.equals("angular")) {
            return n.equals("euclidean") ? L2 : COSINE;
        }
        throw new IllegalArgumentException("unknown metric '" + name + "' (expected l2, ip or cosine)");
    }
}
