package io.flinkhnsw.vector;

/**
 * Plain Java kernels, used where the Vector API module is not available. Four independent
 * accumulators let the JIT overlap the floating-point adds instead of waiting on one chain.
 */
public final class ScalarKernels implements VectorKernels {

    @Override
    public float squaredL2(float[] a, int aOff, float[] b, int bOff, int dim) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int upper = dim & ~3; i < upper; i += 4) {
            float d0 = a[aOff + i] - b[bOff + i];
            float d1 = a[aOff + i + 1] - b[bOff + i + 1];
            float d2 = a[aOff + i + 2] - b[bOff + i + 2];
            float d3 = a[aOff + i + 3] - b[bOff + i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < dim; i++) {
            float d = a[aOff + i] - b[bOff + i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int upper = dim & ~3; i < upper; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < dim; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public int packedWidth() {
        return 1;
    }

    @Override
    public void squaredL2Batch(float[] query, float[] data, int[] offsets, int n, int len, float[] out) {
        for (int j = 0; j < n; j++) {
            out[j] = squaredL2(query, 0, data, offsets[j], len);
        }
    }

    @Override
    public void dotBatch(float[] query, float[] data, int[] offsets, int n, int len, float[] out) {
        for (int j = 0; j < n; j++) {
            out[j] = dot(query, 0, data, offsets[j], len);
        }
    }

    /*
     * The int8 kernels: plain multiply-adds like the float ones above, not Math.fma, which is a
     * BigDecimal computation on CPUs without FMA, the kind of machine this fallback may run on.
     */

    @Override
    public float squaredL2Int8(float[] query, int qOff, float[] negStep, byte[] codes, int off, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int upper = len & ~3; i < upper; i += 4) {
            float d0 = query[qOff + i] + negStep[i] * codes[off + i];
            float d1 = query[qOff + i + 1] + negStep[i + 1] * codes[off + i + 1];
            float d2 = query[qOff + i + 2] + negStep[i + 2] * codes[off + i + 2];
            float d3 = query[qOff + i + 3] + negStep[i + 3] * codes[off + i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < len; i++) {
            float d = query[qOff + i] + negStep[i] * codes[off + i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float dotInt8(float[] query, int qOff, byte[] codes, int off, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int upper = len & ~3; i < upper; i += 4) {
            s0 += query[qOff + i] * codes[off + i];
            s1 += query[qOff + i + 1] * codes[off + i + 1];
            s2 += query[qOff + i + 2] * codes[off + i + 2];
            s3 += query[qOff + i + 3] * codes[off + i + 3];
        }
        for (; i < len; i++) {
            s0 += query[qOff + i] * codes[off + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void squaredL2Int8Batch(float[] query, int qOff, float[] negStep, byte[] codes, int[] offsets, int n,
            int len, float[] out) {
        for (int j = 0; j < n; j++) {
            out[j] = squaredL2Int8(query, qOff, negStep, codes, offsets[j], len);
        }
    }

    @Override
    public void dotInt8Batch(float[] query, int qOff, byte[] codes, int[] offsets, int n, int len, float[] out) {
        for (int j = 0; j < n; j++) {
            out[j] = dotInt8(query, qOff, codes, offsets[j], len);
        }
    }

    @Override
    public void scaleInt8(byte[] codes, int off, float[] step, float[] out, int outOff, int len) {
        for (int i = 0; i < len; i++) {
            out[outOff + i] = step[i] * codes[off + i];
        }
    }

    @Override
    public float decodeDotInt8(byte[] codes, int off, float[] step, float[] base, float[] out, int outOff, int len) {
        float sum = 0;
        for (int i = 0; i < len; i++) {
            float x = base[i] + step[i] * codes[off + i];
            out[outOff + i] = x * step[i];
            sum += x * base[i];
        }
        return sum;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
