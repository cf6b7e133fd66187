package io.flinkhnsw.vector;

/**
 * The two inner loops every distance is built from, over slices of flat float arrays so vectors can
 * live in one array per graph. {@link Kernels#best()} picks the fastest implementation available.
 */
public interface VectorKernels {

    /** Sum of squared differences of a[aOff..aOff+dim) and b[bOff..bOff+dim). */
    float squaredL2(float[] a, int aOff, float[] b, int bOff, int dim);

    /** Dot product of a[aOff..aOff+dim) and b[bOff..bOff+dim). */
    float dot(float[] a, int aOff, float[] b, int bOff, int dim);

    /** A short name for logs and benchmark output. */
    String name();
}
