package io.flinkhnsw.data;

import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;
import io.flinkhnsw.vector.VectorKernels;

import java.util.Arrays;

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
        VectorKernels kernels = Kernels.best();
        float[][] b = metric.normalises() ? normalised(base) : base;
        float[][] q = metric.normalises() ? normalised(queries) : queries;
        int limit = Math.min(k, b.length);
        int[][] result = new int[q.length][];
        long[] scored = new long[b.length];
        for (int i = 0; i < q.length; i++) {
            for (int row = 0; row < b.length; row++) {
                int dim = q[i].length;
                float d = metric == Metric.L2 ? kernels.squaredL2(q[i], 0, b[row], 0, dim)
                        : 1f - kernels.dot(q[i], 0, b[row], 0, dim);
                int bits = Float.floatToRawIntBits(d);
                scored[row] = ((long) (bits ^ ((bits >> 31) & 0x7fffffff)) << 32) | row;
            }
            Arrays.sort(scored);
            result[i] = new int[limit];
            for (int r = 0; r < limit; r++) {
                result[i][r] = (int) scored[r];
            }
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
