package io.flinkhnsw.hnsw;

import io.flinkhnsw.vector.Metric;

/**
 * Checks a vector before it touches an index and returns the form the graph stores or searches
 * with: the caller's array for L2 and inner product, a unit-length copy for cosine. Every refusal
 * is an {@link InvalidVectorException} whose message says what is wrong in words a person can act on.
 */
public final class VectorValidator {
    private VectorValidator() {
    }

    /**
     * @param expectedDimension the index's dimension, or 0 when the index has none yet
     * @param role "vector" or "query vector", for messages
     */
    public static float[] prepare(float[] vector, int expectedDimension, Metric metric, String role) {
        double scale = check(vector, expectedDimension, metric, role);
        if (!metric.normalises()) {
            return vector;
        }
        float[] unit = new float[vector.length];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = (float) (vector[i] * scale);
        }
        return unit;
    }

    /**
     * Validates {@code vector} without copying it; returns the factor that gives the form the graph
     * works with: 1/norm for cosine, 1 otherwise. Multiplying by it as a double and rounding to
     * float is what {@link #prepare} does, so a query scaled this way matches a stored vector bit
     * for bit.
     */
    public static double check(float[] vector, int expectedDimension, Metric metric, String role) {
        if (vector == null) {
            throw new InvalidVectorException("missing " + role);
        }
        int dim = vector.length;
        if (dim < 1 || dim > Limits.MAX_DIMENSION) {
            throw new InvalidVectorException(role + " has dimension " + dim + "; supported dimensions are 1.."
                    + Limits.MAX_DIMENSION);
        }
        if (expectedDimension != 0 && dim != expectedDimension) {
            throw new InvalidVectorException(role + " has dimension " + dim + " but this index holds vectors of dimension "
                    + expectedDimension);
        }
        double squaredNorm = 0;
        for (int i = 0; i < dim; i++) {
            float x = vector[i];
            if (!Float.isFinite(x)) {
                throw new InvalidVectorException(role + " component " + i + " is " + x
                        + "; only finite numbers are allowed");
            }
            squaredNorm += (double) x * x;
        }
        if (!metric.normalises()) {
            return 1.0;
        }
        if (squaredNorm == 0) {
            throw new InvalidVectorException(role + " is all zeros; it has no direction for cosine distance");
        }
        return 1.0 / Math.sqrt(squaredNorm);
    }
}
