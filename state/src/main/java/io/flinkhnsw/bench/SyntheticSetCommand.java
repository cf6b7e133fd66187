package io.flinkhnsw.bench;

import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.vector.Metric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The {@code synthetic-set} command: writes a {@link ClusteredDataset} as a benchmark set that
 * {@code bench} reads, {@code base.fvecs}, {@code query.fvecs} (further vectors of the same stream)
 * and {@code groundtruth.ivecs} (the exact k nearest base rows of each query by brute force, see
 * {@link ExactKnn}), so sets larger than the shipped ones can be measured with exact recall.
 */
@Command(name = "synthetic-set", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "write a seeded clustered vector set (base, queries, exact groundtruth) as fvecs/ivecs files")
public final class SyntheticSetCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for base.fvecs, query.fvecs, groundtruth.ivecs")
    Path out;
    @Option(names = "--size", defaultValue = "100000", description = "base vectors")
    int size;
    @Option(names = "--queries", defaultValue = "1000", description = "query vectors")
    int queries;
    @Option(names = "--dim", defaultValue = "64", description = "dimension")
    int dim;
    @Option(names = "--clusters", defaultValue = "64", description = "Gaussian clusters")
    int clusters;
    @Option(names = "--spread", defaultValue = "0.15", description = "standard deviation around a cluster centre")
    float spread;
    @Option(names = "--k", defaultValue = "100", description = "exact neighbours per query in the groundtruth")
    int k;
    @Option(names = "--metric", defaultValue = "l2", paramLabel = "l2|ip|cosine", description = "distance of the groundtruth")
    Metric metric;
    @Option(names = "--seed", defaultValue = "42", description = "generator seed")
    long seed;

    @Override
    public Integer call() throws Exception {
        write(System.err);
        return Cli.OK;
    }

    void write(PrintStream progress) throws Exception {
        if (size < 1 || queries < 1 || k < 1 || k > size) {
            throw new IllegalArgumentException("need --size >= 1, --queries >= 1 and 1 <= --k <= --size");
        }
        ClusteredDataset generator = new ClusteredDataset(dim, clusters, spread, seed);
        float[][] base = generator.next(size);
        float[][] queryVectors = generator.next(queries);
        Files.createDirectories(out);
        Fvecs.writeFloats(out.resolve("base.fvecs"), base);
        Fvecs.writeFloats(out.resolve("query.fvecs"), queryVectors);
        progress.printf("[synthetic-set] %d x %d written to %s; exact %d-NN of %d queries by brute force...%n", size,
                base[0].length, out, k, queries);
        Fvecs.writeInts(out.resolve("groundtruth.ivecs"), ExactKnn.topK(base, queryVectors, k, metric));
        progress.printf("[synthetic-set] groundtruth written%n");
    }
}
