package io.flinkhnsw.operators.bench;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The options of {@link StateBench}: the data set (an fvecs file or a synthetic clustered set), HNSW
 * parameters, checkpoint interval, how many extra vectors to index before each measured incremental
 * checkpoint, and where checkpoints go; plus loading that data.
 */
final class BenchArgs {
    @Option(names = "--base", paramLabel = "B.fvecs", description = "base vectors (or --synthetic)")
    Path base;
    @Option(names = "--queries", paramLabel = "Q.fvecs", description = "probe query: the first row (default: the first base vector)")
    Path queries;
    @Option(names = "--synthetic", defaultValue = "0", paramLabel = "N", description = "generate N clustered vectors instead of --base")
    int synthetic;
    @Option(names = "--dim", defaultValue = "128", description = "dimension of the synthetic set")
    int dim;
    @Option(names = "--clusters", defaultValue = "64", description = "clusters of the synthetic set")
    int clusters;
    @Option(names = "--spread", defaultValue = "0.15", description = "cluster spread of the synthetic set")
    float spread;
    @Option(names = "--seed", defaultValue = "42", description = "seed of the synthetic set")
    long seed;
    @Option(names = "--metric", defaultValue = "l2", paramLabel = "l2|ip|cosine", description = "distance")
    Metric metric;
    @Option(names = "--m", defaultValue = "16", description = "links per node (2M on layer 0)")
    int m;
    @Option(names = "--ef-construction", defaultValue = "200", description = "build beam width")
    int efConstruction;
    @Option(names = "--ef", defaultValue = "64", description = "query beam width")
    int ef;
    @Option(names = "--checkpoint-interval", defaultValue = "2s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "e.g. 2s, 500ms, 1.5s")
    Duration checkpointInterval;
    @Option(names = "--extra", defaultValue = "1000", description = "vectors indexed before each measured incremental checkpoint")
    int extra;
    @Option(names = "--rounds", defaultValue = "5", description = "measured incremental checkpoints")
    int rounds;
    @Option(names = "--changelog", defaultValue = "true", arity = "1", paramLabel = "true|false",
            description = "run the state changelog in front of RocksDB (the job's backend); false = plain RocksDB incremental")
    boolean changelog;
    @Option(names = "--work-dir", paramLabel = "DIR", description = "checkpoints and changelog (default: a temporary directory)")
    Path workDir;

    /** Throws when the options cannot describe one run. */
    void validate() {
        if (rounds < 1 || extra < 1) {
            throw new IllegalArgumentException("--rounds and --extra must be >= 1");
        }
        if ((base == null) == (synthetic <= 0)) {
            throw new IllegalArgumentException("give exactly one of --base or --synthetic");
        }
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

    /** 2s, 1.5s, 500ms or plain milliseconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            String t = v.trim().toLowerCase(Locale.ROOT);
            try {
                if (t.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
                }
                if (t.endsWith("s")) {
                    return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
                }
                return Duration.ofMillis(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + v + "' is not a duration (e.g. 2s, 500ms)");
            }
        }
    }
}
