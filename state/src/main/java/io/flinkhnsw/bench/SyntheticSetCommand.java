package io.flinkhnsw.bench;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.vector.Metric;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code synthetic-set} command: writes a {@link ClusteredDataset} as a benchmark set that
 * {@code bench} reads, {@code base.fvecs}, {@code query.fvecs} (further vectors of the same stream)
 * and {@code groundtruth.ivecs} (the exact k nearest base rows of each query by brute force, see
 * {@link ExactKnn}), so sets larger than the shipped ones can be measured with exact recall.
 */
public final class SyntheticSetCommand {
    private static final Map<String, String> DEFAULTS = new TreeMap<>();

    static {
        DEFAULTS.put("out", null);
        DEFAULTS.put("size", "100000");
        DEFAULTS.put("queries", "1000");
        DEFAULTS.put("dim", "64");
        DEFAULTS.put("clusters", "64");
        DEFAULTS.put("spread", "0.15");
        DEFAULTS.put("k", "100");
        DEFAULTS.put("metric", "l2");
        DEFAULTS.put("seed", "42");
    }

    private SyntheticSetCommand() {
    }

    public static void main(String[] args) throws Exception {
        Flags flags;
        try {
            flags = Flags.parse(args, DEFAULTS, Set.of());
            flags.string("out");
        } catch (IllegalArgumentException e) {
            System.err.println("synthetic-set: " + e.getMessage());
            System.err.println("usage: synthetic-set --out DIR [--size 100000] [--queries 1000] [--dim 64] [--clusters 64]"
                    + " [--spread 0.15] [--k 100] [--metric l2|ip|cosine] [--seed 42]");
            System.exit(2);
            return;
        }
        write(flags, System.err);
    }

    static void write(Flags flags, PrintStream progress) throws Exception {
        Path out = Path.of(flags.string("out"));
        int size = flags.integer("size");
        int queryCount = flags.integer("queries");
        int k = flags.integer("k");
        Metric metric = Metric.parse(flags.string("metric"));
        if (size < 1 || queryCount < 1 || k < 1 || k > size) {
            throw new IllegalArgumentException("need --size >= 1, --queries >= 1 and 1 <= --k <= --size");
        }
        ClusteredDataset generator = new ClusteredDataset(flags.integer("dim"), flags.integer("clusters"),
                (float) flags.decimal("spread"), flags.longValue("seed"));
        float[][] base = generator.next(size);
        float[][] queries = generator.next(queryCount);
        Files.createDirectories(out);
        Fvecs.writeFloats(out.resolve("base.fvecs"), base);
        Fvecs.writeFloats(out.resolve("query.fvecs"), queries);
        progress.printf("[synthetic-set] %d x %d written to %s; exact %d-NN of %d queries by brute force...%n", size,
                base[0].length, out, k, queryCount);
        Fvecs.writeInts(out.resolve("groundtruth.ivecs"), ExactKnn.topK(base, queries, k, metric));
        progress.printf("[synthetic-set] groundtruth written%n");
    }
}
