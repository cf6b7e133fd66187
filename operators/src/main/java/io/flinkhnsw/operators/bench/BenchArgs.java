package io.flinkhnsw.operators.bench;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The command line of {@link StateBench}: the data set (an fvecs file or a synthetic clustered set),
 * HNSW parameters, checkpoint interval, how many extra vectors to index before the incremental
 * checkpoint, and where checkpoints go.
 */
final class BenchArgs {
    Path base;
    Path queries;
    int synthetic;
    int dim = 128;
    int clusters = 64;
    float spread = 0.15f;
    long seed = 42L;
    Metric metric = Metric.L2;
    int m = 16;
    int efConstruction = 200;
    int ef = 64;
    Duration checkpointInterval = Duration.ofSeconds(2);
    int extra = 1000;
    int rounds = 5;
    Path workDir;

    static final String USAGE = "state-bench (--base B.fvecs [--queries Q.fvecs] | --synthetic N [--dim 128]"
            + " [--clusters 64] [--spread 0.15] [--seed 42]) [--metric l2|ip|cosine] [--m 16] [--ef-construction 200]"
            + " [--ef 64] [--checkpoint-interval 2s] [--extra 1000] [--rounds 5] [--work-dir DIR]";

    static BenchArgs parse(String[] args) {
        BenchArgs a = new BenchArgs();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + flag + "\nusage: " + USAGE);
            }
            String v = args[++i];
            switch (flag) {
                case "--base" -> a.base = Path.of(v);
                case "--queries" -> a.queries = Path.of(v);
                case "--synthetic" -> a.synthetic = Integer.parseInt(v);
                case "--dim" -> a.dim = Integer.parseInt(v);
                case "--clusters" -> a.clusters = Integer.parseInt(v);
                case "--spread" -> a.spread = Float.parseFloat(v);
                case "--seed" -> a.seed = Long.parseLong(v);
                case "--metric" -> a.metric = Metric.parse(v);
                case "--m" -> a.m = Integer.parseInt(v);
                case "--ef-construction" -> a.efConstruction = Integer.parseInt(v);
                case "--ef" -> a.ef = Integer.parseInt(v);
                case "--checkpoint-interval" -> a.checkpointInterval = parseDuration(v);
                case "--extra" -> a.extra = Integer.parseInt(v);
                case "--rounds" -> a.rounds = Integer.parseInt(v);
                case "--work-dir" -> a.workDir = Path.of(v);
                default -> throw new IllegalArgumentException("unknown flag " + flag + "\nusage: " + USAGE);
            }
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
