package io.flinkhnsw.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Java Vector API (jdk.incubator.vector), 256 bits wide or the CPU's width if
 * narrower. Only loaded by {@link Kernels} when the
 * module is in the boot layer; referencing it elsewhere would break JVMs started without it.
 */
final class PanamaKernels implements VectorKernels {
    /**
     * At most 256 bits: on Zen 4 (AVX-512, double-pumped) 512-bit kernels searched glove 10-15 %
     * slower than 256-bit ones, and d = 100 pads to 104 floats instead of 112.
     */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 256
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    /*
     * One distance at a time: four accumulators, so long vectors (784-d) are not held up by the
     * latency of one chain of FMAs, then a scalar tail for lengths that are no multiple of the width.
     */

    @Override
    public float squaredL2(float[] a, int aOff, float[] b, int bOff, int dim) {
        int i = 0;
        float sum = 0;
        if (dim >= LANES) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            for (int upper = dim - 4 * LANES; i <= upper; i += 4 * LANES) {
                FloatVector d0 = FloatVector.fromArray(SPECIES, a, aOff + i)
                        .sub(FloatVector.fromArray(SPECIES, b, bOff + i));
                FloatVector d1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES)
                        .sub(FloatVector.fromArray(SPECIES, b, bOff + i + LANES));
                FloatVector d2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * LANES)
                        .sub(FloatVector.fromArray(SPECIES, b, bOff + i + 2 * LANES));
                FloatVector d3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * LANES)
                        .sub(FloatVector.fromArray(SPECIES, b, bOff + i + 3 * LANES));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            for (int upper = dim - LANES; i <= upper; i += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, a, aOff + i)
                        .sub(FloatVector.fromArray(SPECIES, b, bOff + i));
                acc0 = d.fma(d, acc0);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < dim; i++) {
            float d = a[aOff + i] - b[bOff + i];
            sum += d * d;
        }
        return sum;
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
        int i = 0;
        float sum = 0;
        if (dim >= LANES) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            for (int upper = dim - 4 * LANES; i <= upper; i += 4 * LANES) {
                acc0 = FloatVector.fromArray(SPECIES, a, aOff + i)
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
                acc1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES)
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + i + LANES), acc1);
                acc2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * LANES)
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + i + 2 * LANES), acc2);
                acc3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * LANES)
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + i + 3 * LANES), acc3);
            }
            for (int upper = dim - LANES; i <= upper; i += LANES) {
                acc0 = FloatVector.fromArray(SPECIES, a, aOff + i)
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < dim; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    @Override
    public int packedWidth() {
        return LANES;
    }

    /*
     * The batch kernels score four vectors per pass over the query, so four vectors' cache misses
     * are in flight at once; measured on glove (60k x 100, beyond L2) one vector at a time was
     * about half as fast. A last group of fewer than four repeats its last vector instead of
     * falling back to one at a time: the repeats hit L1 and cost a few nanoseconds.
     */

    @Override
    public void squaredL2Batch(float[] query, float[] data, int[] offsets, int n, int len, float[] out) {
        int last = n - 1;
        for (int j = 0; j < n; j += 4) {
            int o0 = offsets[j];
            int o1 = offsets[Math.min(j + 1, last)];
            int o2 = offsets[Math.min(j + 2, last)];
            int o3 = offsets[Math.min(j + 3, last)];
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            for (int i = 0; i < len; i += LANES) {
                FloatVector q = FloatVector.fromArray(SPECIES, query, i);
                FloatVector d0 = q.sub(FloatVector.fromArray(SPECIES, data, o0 + i));
                FloatVector d1 = q.sub(FloatVector.fromArray(SPECIES, data, o1 + i));
                FloatVector d2 = q.sub(FloatVector.fromArray(SPECIES, data, o2 + i));
                FloatVector d3 = q.sub(FloatVector.fromArray(SPECIES, data, o3 + i));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            store(out, j, last, acc0.reduceLanes(VectorOperators.ADD), acc1.reduceLanes(VectorOperators.ADD),
                    acc2.reduceLanes(VectorOperators.ADD), acc3.reduceLanes(VectorOperators.ADD));
        }
    }

    @Override
    public void dotBatch(float[] query, float[] data, int[] offsets, int n, int len, float[] out) {
        int last = n - 1;
        for (int j = 0; j < n; j += 4) {
            int o0 = offsets[j];
            int o1 = offsets[Math.min(j + 1, last)];
            int o2 = offsets[Math.min(j + 2, last)];
            int o3 = offsets[Math.min(j + 3, last)];
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            for (int i = 0; i < len; i += LANES) {
                FloatVector q = FloatVector.fromArray(SPECIES, query, i);
                acc0 = q.fma(FloatVector.fromArray(SPECIES, data, o0 + i), acc0);
                acc1 = q.fma(FloatVector.fromArray(SPECIES, data, o1 + i), acc1);
                acc2 = q.fma(FloatVector.fromArray(SPECIES, data, o2 + i), acc2);
                acc3 = q.fma(FloatVector.fromArray(SPECIES, data, o3 + i), acc3);
            }
            store(out, j, last, acc0.reduceLanes(VectorOperators.ADD), acc1.reduceLanes(VectorOperators.ADD),
                    acc2.reduceLanes(VectorOperators.ADD), acc3.reduceLanes(VectorOperators.ADD));
        }
    }

    /** Writes the results of the group starting at {@code j}, dropping those past {@code last}. */
    private static void store(float[] out, int j, int last, float r0, float r1, float r2, float r3) {
        out[j] = r0;
        if (j + 1 <= last) {
            out[j + 1] = r1;
            if (j + 2 <= last) {
                out[j + 2] = r2;
                if (j + 3 <= last) {
                    out[j + 3] = r3;
                }
            }
        }
    }

    @Override
    public String name() {
        return "vector-api-" + SPECIES.vectorBitSize() + "bit";
    }
}
