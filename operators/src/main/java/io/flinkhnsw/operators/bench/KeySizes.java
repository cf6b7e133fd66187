package io.flinkhnsw.operators.bench;

import picocli.CommandLine;

import java.util.Locale;

/**
 * How {@link TenantBench} spreads vectors over keys: {@code uniform} (equal sizes) or {@code zipf:S}
 * (key i, from 0, gets a share proportional to 1/(i+1)^S). Sizes are whole numbers that add up to
 * the total exactly (largest remainders round up) and every key gets at least one vector.
 */
record KeySizes(String name, double exponent) {

    static KeySizes parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("uniform")) {
            return new KeySizes("uniform", 0);
        }
        if (s.startsWith("zipf:")) {
            try {
                double exponent = Double.parseDouble(s.substring(5));
                if (exponent > 0 && Double.isFinite(exponent)) {
                    return new KeySizes(s, exponent);
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
        }
        throw new IllegalArgumentException("--sizes must be uniform or zipf:S with S > 0, got '" + spec + "'");
    }

    int[] sizes(int keys, int vectors) {
        if (keys < 1 || vectors < keys) {
            throw new IllegalArgumentException("need at least one key and one vector per key, got " + keys
                    + " keys and " + vectors + " vectors");
        }
        double[] weights = new double[keys];
        double total = 0;
        for (int k = 0; k < keys; k++) {
            weights[k] = Math.pow(k + 1, -exponent);
            total += weights[k];
        }
        // one vector each, the rest by weight; largest remainders get the leftovers (ties: lower key)
        int spare = vectors - keys;
        int[] sizes = new int[keys];
        double[] remainder = new double[keys];
        long given = 0;
        for (int k = 0; k < keys; k++) {
            double share = spare * weights[k] / total;
            sizes[k] = 1 + (int) share;
            remainder[k] = share - (int) share;
            given += (int) share;
        }
        Integer[] order = new Integer[keys];
        for (int k = 0; k < keys; k++) {
            order[k] = k;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(remainder[b], remainder[a]));
        for (int i = 0; given < spare; i++, given++) {
            sizes[order[i]]++;
        }
        return sizes;
    }

    /** Lets picocli read {@code --sizes}. */
    static final class Converter implements CommandLine.ITypeConverter<KeySizes> {
        @Override
        public KeySizes convert(String value) {
            return parse(value);
        }
    }
}
