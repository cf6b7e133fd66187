package io.flinkhnsw.hnsw;

import java.util.Locale;

/**
 * How a graph keeps the vectors its walk scores: {@link #NONE} as 32-bit floats on the heap;
 * {@link #INT8} as one signed byte per dimension ({@link ScalarQuantizer}) on the heap, with the
 * full-precision vectors off the heap, read only to re-rank a search's best candidates.
 */
public enum Quantization {
    NONE("none"),
    INT8("int8");

    private final String cliName;

    Quantization(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on command lines, in configuration and in stored headers: none or int8. */
    public String cliName() {
        return cliName;
    }

    public static Quantization parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Quantization q : values()) {
            if (q.cliName.equals(n)) {
                return q;
            }
        }
        throw new IllegalArgumentException("unknown quantization '" + name + "' (expected none or int8)");
    }
}
