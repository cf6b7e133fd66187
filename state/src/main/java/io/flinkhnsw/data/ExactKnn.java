package io.flinkhnsw.data;

import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;
import io.flinkhnsw.vector.VectorKernels;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Exact k-nearest neighbours by brute force, the reference recall is measured against when a data
 * set comes without groundtruth. Ranks with the same distances the index uses; ties go to the
 * lower row number.
 */
public final class ExactKnn {
    private ExactKnn() {
    }

    /** For each query, the row numbers of its k nearest base vectors, nearest first. */
    public static int[][] topK(float[][] base, float[][] queries, int k, Metric metric) {
        float[][] b = metric.normalises() ? normalised(base) : base;
        float[][] q = metric.normalises() ? normalised(queries) : queries;
        int[][] result = new int[q.length][];
        for (int i = 0; i < q.length; i++) {
            result[i] = rank(b, q[i], k, metric, row -> false);
        }
        return result;
    }

    /** The row numbers of the k nearest base vectors to {@code query} among rows {@code skip} rejects. */
    public static int[] nearest(float[][] base, float[] query, int k, Metric metric, IntPredicate skip) {
        if (!metric.normalises()) {
            return rank(base, query, k, metric, skip);
        }
        return rank(normalised(base), normalised(new float[][] {query})[0], k, metric, skip);
    }

    private static int[] rank(float[][] base, float[] query, int k, Metric metric, IntPredicate skip) {
        VectorKernels kernels = Kernels.best();
        long[] scored = new long[base.length];
        int n = 0;
        int dim = query.length;
        for (int row = 0; row < base.length; row++) {
            if (skip.test(row)) {
                continue;
            }
            float d = metric == Metric.L2 ? kernels.squaredL2(query, 0, base[row], 0, dim)
                    : 1f - kernels.dot(query, 0, base[row], 0, dim);
            int bits = Float.floatToRawIntBits(d);
            scored[n++] = ((long) (bits ^ ((bits >> 31) & 0x7fffffff)) << 32) | row;
        }
        Arrays.sort(scored, 0, n);
        int[] result = new int[Math.min(k, n)];
        for (int r = 0; r < result.length; r++) {
            result[r] = (int) scored[r];
        }
        return result;
    }

    /** Mean fraction of each query's true top k (the first k of each truth row) found among its results. */
    public static double recall(int[][] found, int[][] truth, int k) {
        double total = 0;
        for (int q = 0; q < found.length; q++) {
            int hits = 0;
            for (int row : found[q]) {
                for (int t = 0; t < k; t++) {
                    if (truth[q][t] == row) {
                        hits++;
                        break;
                    }
                }
            }
            total += (double) hits / k;
        }
        return total / found.length;
    }

    private static float[][] normalised(float[][] vectors) {
        float[][] out = new float[vectors.length][];
        for (int i = 0; i < vectors.length; i++) {
            double norm = 0;
            for (float x : vectors[i]) {
                norm += (double) x * x;
            }
            double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm);
            out[i] = new float[vectors[i].length];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) (vectors[i][j] * scale);
            }
        }
        return out;
    }
}
