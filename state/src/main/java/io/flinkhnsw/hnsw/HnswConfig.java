package io.flinkhnsw.hnsw;

import io.flinkhnsw.vector.Metric;

import java.io.Serializable;
import java.util.Objects;

/**
 * The parameters an index is built with: metric, M (links per node on upper layers; 2M on layer 0),
 * efConstruction, the default ef for queries that name none ({@link #DYNAMIC_EF}: chosen per query
 * by {@link #efFor}), the seed that makes level draws repeatable, and how the graph stores its
 * vectors ({@link Quantization}).
 */
public final class HnswConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int MIN_M = 2;
    public static final int MAX_M = 512;
    /** A default ef of 0: each query without an ef gets one that fits its k ({@link #dynamicEf}). */
    public static final int DYNAMIC_EF = 0;
    /**
     * The dynamic ef is k times this, at least {@link #DYNAMIC_EF_MIN}, at most {@link #DYNAMIC_EF_MAX}
     * (Weaviate's rule); the constants are measured on glove-tune, see docs/ARCHITECTURE.md, "Query forms".
     */
    public static final int DYNAMIC_EF_FACTOR = 4;
    public static final int DYNAMIC_EF_MIN = 128;
    public static final int DYNAMIC_EF_MAX = 1000;

    private final Metric metric;
    private final int m;
    private final int efConstruction;
    private final int defaultEf;
    private final long seed;
    private final Quantization quantization;

    /** A configuration with full-precision vectors ({@link Quantization#NONE}). */
    public HnswConfig(Metric metric, int m, int efConstruction, int defaultEf, long seed) {
        this(metric, m, efConstruction, defaultEf, seed, Quantization.NONE);
    }

    public HnswConfig(Metric metric, int m, int efConstruction, int defaultEf, long seed, Quantization quantization) {
        this.quantization = Objects.requireNonNull(quantization, "quantization");
        this.metric = Objects.requireNonNull(metric, "metric");
        if (m < MIN_M || m > MAX_M) {
            throw new IllegalArgumentException("M must be in " + MIN_M + ".." + MAX_M + ", got " + m);
        }
        if (efConstruction < 1 || efConstruction > Limits.MAX_EF) {
            throw new IllegalArgumentException("efConstruction must be in 1.." + Limits.MAX_EF + ", got " + efConstruction);
        }
        if (defaultEf < DYNAMIC_EF || defaultEf > Limits.MAX_EF) {
            throw new IllegalArgumentException("default ef must be in 1.." + Limits.MAX_EF + " or 0 (dynamic), got "
                    + defaultEf);
        }
        this.m = m;
        this.efConstruction = efConstruction;
        this.defaultEf = defaultEf;
        this.seed = seed;
    }

    /** M=16, efConstruction=200, dynamic ef, seed 42, no quantization. */
    public static HnswConfig defaults(Metric metric) {
        return new HnswConfig(metric, 16, 200, DYNAMIC_EF, 42L);
    }

    /** The dynamic ef for k: k * {@link #DYNAMIC_EF_FACTOR} within {@link #DYNAMIC_EF_MIN}..{@link #DYNAMIC_EF_MAX}, never below k. */
    public static int dynamicEf(int k) {
        return Math.max(k, Math.min(DYNAMIC_EF_MAX, Math.max(DYNAMIC_EF_MIN, k * DYNAMIC_EF_FACTOR)));
    }

    /** The ef of a query for k neighbours that names none: the configured default (raised to k), or the dynamic one. */
    public int efFor(int k) {
        return defaultEf == DYNAMIC_EF ? dynamicEf(k) : Math.max(defaultEf, k);
    }

    /** The ef of a query for k neighbours that asks for {@code asked}: that, or {@link #efFor(int)} when it asks for 0. */
    public int efFor(int k, int asked) {
        return asked == 0 ? efFor(k) : asked;
    }

    public Metric metric() { return metric; }
    public int m() { return m; }
    public int efConstruction() { return efConstruction; }
    public int defaultEf() { return defaultEf; }
    public long seed() { return seed; }
    public Quantization quantization() { return quantization; }

    public HnswConfig withMetric(Metric v) { return new HnswConfig(v, m, efConstruction, defaultEf, seed, quantization); }
    public HnswConfig withM(int v) { return new HnswConfig(metric, v, efConstruction, defaultEf, seed, quantization); }
    public HnswConfig withEfConstruction(int v) { return new HnswConfig(metric, m, v, defaultEf, seed, quantization); }
    public HnswConfig withDefaultEf(int v) { return new HnswConfig(metric, m, efConstruction, v, seed, quantization); }
    public HnswConfig withSeed(long v) { return new HnswConfig(metric, m, efConstruction, defaultEf, v, quantization); }
    public HnswConfig withQuantization(Quantization v) { return new HnswConfig(metric, m, efConstruction, defaultEf, seed, v); }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HnswConfig)) return false;
        HnswConfig c = (HnswConfig) o;
        return metric == c.metric && m == c.m && efConstruction == c.efConstruction && defaultEf == c.defaultEf
                && seed == c.seed && quantization == c.quantization;
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, m, efConstruction, defaultEf, seed, quantization);
    }

    @Override
    public String toString() {
        return "HnswConfig{metric=" + metric.cliName() + ", M=" + m + ", efConstruction=" + efConstruction
                + ", ef=" + (defaultEf == DYNAMIC_EF ? "dynamic" : defaultEf) + ", seed=" + seed + ", quantization=" + quantization.cliName() + "}";
    }
}
