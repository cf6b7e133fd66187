package io.flinkhnsw.hnsw;

import io.flinkhnsw.vector.Metric;

import java.io.Serializable;
import java.util.Objects;

/**
 * The parameters an index is built with: metric, M (links per node on upper layers; 2M on layer 0),
 * efConstruction, the default ef for queries that name none, the seed that makes level draws
 * repeatable, and the tombstone fraction that triggers a consolidation pass.
 */
public final class HnswConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int MIN_M = 2;
    public static final int MAX_M = 512;

    private final Metric metric;
    private final int m;
    private final int efConstruction;
    private final int defaultEf;
    private final long seed;
    private final double consolidateFraction;

    public HnswConfig(Metric metric, int m, int efConstruction, int defaultEf, long seed, double consolidateFraction) {
        this.metric = Objects.requireNonNull(metric, "metric");
        if (m < MIN_M || m > MAX_M) {
            throw new IllegalArgumentException("M must be in " + MIN_M + ".." + MAX_M + ", got " + m);
        }
        if (efConstruction < 1 || efConstruction > Limits.MAX_EF) {
            throw new IllegalArgumentException("efConstruction must be in 1.." + Limits.MAX_EF + ", got " + efConstruction);
        }
        if (defaultEf < 1 || defaultEf > Limits.MAX_EF) {
            throw new IllegalArgumentException("default ef must be in 1.." + Limits.MAX_EF + ", got " + defaultEf);
        }
        if (!(consolidateFraction > 0 && consolidateFraction <= 1)) {
            throw new IllegalArgumentException("consolidate fraction must be in (0, 1], got " + consolidateFraction);
        }
        this.m = m;
        this.efConstruction = efConstruction;
        this.defaultEf = defaultEf;
        this.seed = seed;
        this.consolidateFraction = consolidateFraction;
    }

    /** M=16, efConstruction=200, ef=64, seed 42, consolidate at 10 % tombstones. */
    public static HnswConfig defaults(Metric metric) {
        return new HnswConfig(metric, 16, 200, 64, 42L, 0.1);
    }

    public Metric metric() { return metric; }
    public int m() { return m; }
    public int efConstruction() { return efConstruction; }
    public int defaultEf() { return defaultEf; }
    public long seed() { return seed; }
    public double consolidateFraction() { return consolidateFraction; }

    public HnswConfig withMetric(Metric v) { return new HnswConfig(v, m, efConstruction, defaultEf, seed, consolidateFraction); }
    public HnswConfig withM(int v) { return new HnswConfig(metric, v, efConstruction, defaultEf, seed, consolidateFraction); }
    public HnswConfig withEfConstruction(int v) { return new HnswConfig(metric, m, v, defaultEf, seed, consolidateFraction); }
    public HnswConfig withDefaultEf(int v) { return new HnswConfig(metric, m, efConstruction, v, seed, consolidateFraction); }
    public HnswConfig withSeed(long v) { return new HnswConfig(metric, m, efConstruction, defaultEf, v, consolidateFraction); }
    public HnswConfig withConsolidateFraction(double v) { return new HnswConfig(metric, m, efConstruction, defaultEf, seed, v); }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HnswConfig)) return false;
        HnswConfig c = (HnswConfig) o;
        return metric == c.metric && m == c.m && efConstruction == c.efConstruction && defaultEf == c.defaultEf
                && seed == c.seed && Double.compare(consolidateFraction, c.consolidateFraction) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, m, efConstruction, defaultEf, seed, consolidateFraction);
    }

    @Override
    public String toString() {
        return "HnswConfig{metric=" + metric.cliName() + ", M=" + m + ", efConstruction=" + efConstruction
                + ", ef=" + defaultEf + ", seed=" + seed + ", consolidateFraction=" + consolidateFraction + "}";
    }
}
