package io.flinkhnsw.job.local;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.vector.Metric;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * The vectors a local run streams in and the queries it asks: from fvecs files (with an optional
 * ivecs groundtruth of 0-based base rows) or generated as a deterministic clustered set. Base row
 * {@code i} is upserted with id {@code "i"}, so groundtruth rows are ids. When there is no usable
 * groundtruth (none given, or some ids deleted) the exact neighbours are computed by brute force.
 */
public final class DataSet {
    public final String name;
    public final float[][] base;
    public final float[][] queries;
    private final int[][] groundtruth;

    private DataSet(String name, float[][] base, float[][] queries, int[][] groundtruth) {
        this.name = name;
        this.base = base;
        this.queries = queries;
        this.groundtruth = groundtruth;
    }

    public static DataSet load(Path base, Path queries, Path groundtruth) throws IOException {
        float[][] b = Fvecs.readFloats(base);
        float[][] q = queries == null ? Arrays.copyOf(b, Math.min(100, b.length)) : Fvecs.readFloats(queries);
        int[][] gt = groundtruth == null ? null : Fvecs.readInts(groundtruth);
        if (gt != null && gt.length < q.length) {
            throw new IllegalArgumentException(groundtruth + " has " + gt.length + " rows for " + q.length + " queries");
        }
        return new DataSet(base.getFileName().toString(), b, q, gt);
    }

    /**
     * {@code n} vectors of dimension {@code dim} in 10 wide, overlapping clusters, and {@code nq} queries
     * from the same distribution: hard enough that recall at the default ef is below 1 (about 0.98
     * for 5000x64), so the summary says something.
     */
    public static DataSet generate(int n, int nq, int dim, long seed) {
        ClusteredDataset d = new ClusteredDataset(dim, 10, 1.0f, seed);
        return new DataSet("generated " + n + "x" + dim + " clustered", d.next(n), d.next(nq), null);
    }

    /** The ids of the exact {@code k} nearest live neighbours of query {@code q}. */
    public int[] exact(int q, int k, Metric metric, Set<Integer> deleted) {
        if (groundtruth != null && deleted.isEmpty() && groundtruth[q].length >= k) {
            return Arrays.copyOf(groundtruth[q], k);
        }
        return ExactKnn.nearest(base, queries[q], k, metric, deleted::contains);
    }
}
