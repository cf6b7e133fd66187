package io.flinkhnsw.vector;

/**
 * The inner loops every distance is built from, over slices of flat float arrays so vectors can
 * live in one array per graph. The batch forms score one query against several vectors at once,
 * interleaved, so the CPU has the cache misses of several vectors in flight instead of one; they
 * need vectors zero-padded to a multiple of {@link #packedWidth()}. {@link Kernels#best()} picks
 * the fastest implementation available.
 */
public interface VectorKernels {

    /** Sum of squared differences of a[aOff..aOff+dim) and b[bOff..bOff+dim). */
    float squaredL2(float[] a, int aOff, float[] b, int bOff, int dim);

    /** Dot product of a[aOff..aOff+dim) and b[bOff..bOff+dim). */
    float dot(float[] a, int aOff, float[] b, int bOff, int dim);

    /** Vectors handed to the batch forms are zero-padded to a multiple of this many floats. */
    int packedWidth();

    /**
     * {@code out[j] = squaredL2(query, 0, data, offsets[j], len)} for j in [0, n); {@code len} is a
     * multiple of {@link #packedWidth()}.
     */
    void squaredL2Batch(float[] query, float[] data, int[] offsets, int n, int len, float[] out);

    /** {@code out[j] = dot(query, 0, data, offsets[j], len)} for j in [0, n); as {@link #squaredL2Batch}. */
    void dotBatch(float[] query, float[] data, int[] offsets, int n, int len, float[] out);

    /*
     * Scalar-quantized (int8) vectors: one signed byte per dimension, used as its integer value
     * (-128..127). The quantizer folds its per-dimension base into the query and passes its
     * negated step, so a code decodes lane by lane with one FMA.
     */

    /**
     * {@code Σ (query[qOff+i] + negStep[i] * codes[off+i])²} for i in [0, len): the squared L2
     * distance from a query shifted by a quantizer's base to one int8 code; {@code len} is a
     * multiple of {@link #packedWidth()}.
     */
    float squaredL2Int8(float[] query, int qOff, float[] negStep, byte[] codes, int off, int len);

    /**
     * {@code Σ query[qOff+i] * codes[off+i]} for i in [0, len); {@code len} is a multiple of
     * {@link #packedWidth()}.
     */
    float dotInt8(float[] query, int qOff, byte[] codes, int off, int len);

    /** {@code out[j] = squaredL2Int8(query, qOff, negStep, codes, offsets[j], len)} for j in [0, n). */
    void squaredL2Int8Batch(float[] query, int qOff, float[] negStep, byte[] codes, int[] offsets, int n, int len,
            float[] out);

    /** {@code out[j] = dotInt8(query, qOff, codes, offsets[j], len)} for j in [0, n). */
    void dotInt8Batch(float[] query, int qOff, byte[] codes, int[] offsets, int n, int len, float[] out);

    /**
     * {@code out[outOff+i] = step[i] * codes[off+i]} for i in [0, len): a stored vector minus the
     * quantizer's base, the L2 form of a node used as a query; len is a multiple of packedWidth().
     */
    void scaleInt8(byte[] codes, int off, float[] step, float[] out, int outOff, int len);

    /**
     * With {@code x[i] = base[i] + step[i] * codes[off+i]} (a stored vector, decoded), writes
     * {@code out[outOff+i] = x[i] * step[i]} for i in [0, len) and returns {@code x . base}: the dot
     * product form of a node used as a query; len is a multiple of packedWidth().
     */
    float decodeDotInt8(byte[] codes, int off, float[] step, float[] base, float[] out, int outOff, int len);

    /** A short name for logs and benchmark output. */
    String name();
}
