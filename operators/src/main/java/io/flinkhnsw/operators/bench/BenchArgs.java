package io.flinkhnsw.operators.bench;

import io.flinkhnsw.bench.Flags;
import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@link StateBench}: the data set (an fvecs file or a synthetic clustered set),
 * HNSW parameters, checkpoint interval, how many extra vectors to index before the incremental
 * checkpoint, and where checkpoints go. Parsed with the shared {@link Flags}; this class is the
 * typed view of those flags plus the data loading.
 */
final class BenchArgs {
    Path base;
    Path queries;
    int synthetic;
    int dim;
    int clusters;
    float spread;
    long seed;
    Metric metric;
    int m;
    int efConstruction;
    int ef;
    Duration checkpointInterval;
    int extra;
    int rounds;
    Path workDir;
    boolean changelog;

    static final String USAGE = "state-bench (--base B.fvecs [--queries Q.fvecs] | --synthetic N [--dim 128]"
            + " [--clusters 64] [--spread 0.15] [--seed 42]) [--metric l2|ip|cosine] [--m 16] [--ef-construction 200]"
            + " [--ef 64] [--checkpoint-interval 2s] [--extra 1000] [--rounds 5] [--changelog true|false] [--work-dir DIR]";

    /** Every flag with its default; null means absent unless given. */
    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("base", null);
        DEFAULTS.put("queries", null);
        DEFAULTS.put("synthetic", "0");
        DEFAULTS.put("dim", "128");
        DEFAULTS.put("clusters", "64");
        DEFAULTS.put("spread", "0.15");
        DEFAULTS.put("seed", "42");
        DEFAULTS.put("metric", "l2");
        DEFAULTS.put("m", "16");
        DEFAULTS.put("ef-construction", "200");
        DEFAULTS.put("ef", "64");
        DEFAULTS.put("checkpoint-interval", "2s");
        DEFAULTS.put("extra", "1000");
        DEFAULTS.put("rounds", "5");
        DEFAULTS.put("changelog", "true");
        DEFAULTS.put("work-dir", null);
    }

    static BenchArgs parse(String[] args) {
        BenchArgs a = new BenchArgs();
        try {
            Flags f = Flags.parse(args, DEFAULTS, Set.of());
            a.base = f.has("base") ? Path.of(f.string("base")) : null;
            a.queries = f.has("queries") ? Path.of(f.string("queries")) : null;
            a.synthetic = f.integer("synthetic");
            a.dim = f.integer("dim");
            a.clusters = f.integer("clusters");
            a.spread = (float) f.decimal("spread");
            a.seed = f.longValue("seed");
            a.metric = Metric.parse(f.string("metric"));
            a.m = f.integer("m");
            a.efConstruction = f.integer("ef-construction");
            a.ef = f.integer("ef");
            a.checkpointInterval = parseDuration(f.string("checkpoint-interval"));
            a.extra = f.integer("extra");
            a.rounds = f.integer("rounds");
            a.workDir = f.has("work-dir") ? Path.of(f.string("work-dir")) : null;
            String changelog = f.string("changelog");
            if (!changelog.equals("true") && !changelog.equals("false")) {
                throw new IllegalArgumentException("--changelog must be true or false, got '" + changelog + "'");
            }
            a.changelog = Boolean.parseBoolean(changelog);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "\nusage: " + USAGE, e);
        }
        if (a.rounds < 1 || a.extra < 1) {
            throw new IllegalArgumentException("--rounds and --extra must be >= 1\nusage: " + USAGE);
        }
        if ((a.base == null) == (a.synthetic <= 0)) {
            throw new IllegalArgumentException("give exactly one of --base or --synthetic\nusage: " + USAGE);
        }
        return a;
    }

    HnswConfig config() {
        return HnswConfig.defaults(metric).withM(m).withEfConstruction(efConstruction).withDefaultEf(ef);
    }

    String dataName() {
        return base != null ? base.toString() : "synthetic-" + synthetic + "x" + dim;
    }

    /** Base vectors, then {@code rounds} batches of {@code extra} more (the file's tail or the same generator), and a probe query. */
    Data load() throws IOException {
        float[][] all;
        float[] probe;
        if (base != null) {
            all = Fvecs.readFloats(base);
            if (all.length <= extra * rounds) {
                throw new IllegalArgumentException(base + " has " + all.length + " vectors, not more than --extra x --rounds");
            }
            probe = queries != null && Files.exists(queries) ? Fvecs.readFloats(queries)[0] : all[0].clone();
        } else {
            ClusteredDataset gen = new ClusteredDataset(dim, clusters, spread, seed);
            all = gen.next(synthetic + extra * rounds);
            probe = gen.next(1)[0];
        }
        int n = all.length - extra * rounds;
        return new Data(Arrays.copyOf(all, n), Arrays.copyOfRange(all, n, all.length), probe);
    }

    /** The vectors indexed first, those indexed in rounds before each measured incremental checkpoint, and the probe query. */
    record Data(float[][] base, float[][] extra, float[] probe) {
    }

    private static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase();
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        }
        return Duration.ofMillis(Long.parseLong(s));
    }
}
