package io.flinkhnsw.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Java Vector API (jdk.incubator.vector) at the CPU's preferred width, with two
 * accumulators to hide FMA latency and a scalar tail. Only loaded by {@link Kernels} when the
 * module is in the boot layer; referencing it elsewhere would break JVMs started without it.
 */
final class PanamaKernels implements VectorKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    @Override
    public float squaredL2(float[] a, int aOff, float[] b, int bOff, int dim) {
        int i = 0;
        float sum = 0;
        if (dim >= LANES) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = FloatVector.zero(SPECIES);
            for (int upper = dim - 2 * LANES; i <= upper; i += 2 * LANES) {
                FloatVector d0 = FloatVector.fromArray(SPECIES, a, aOff + i)
                        .sub(FloatVector.fromArray(SPECIES, b, bOff + i));
                FloatVector d1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES)
                        .sub(FloatVector.fromArray(SPECIES, b, bOff + i + LANES));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
            }
            for (int upper = dim - LANES; i <= upper; i += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, a, aOff + i)
                        .sub(FloatVector.fromArray(SPECIES, b, bOff + i));
                acc0 = d.fma(d, acc0);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
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
            FloatVector acc1 = FloatVector.zero(SPECIES);
            for (int upper = dim - 2 * LANES; i <= upper; i += 2 * LANES) {
                acc0 = FloatVector.fromArray(SPECIES, a, aOff + i)
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
                acc1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES)
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + i + LANES), acc1);
            }
            for (int upper = dim - LANES; i <= upper; i += LANES) {
                acc0 = FloatVector.fromArray(SPECIES, a, aOff + i)
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < dim; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    @Override
    public String name() {
        return "vector-api-" + SPECIES.vectorBitSize() + "bit";
    }
}
