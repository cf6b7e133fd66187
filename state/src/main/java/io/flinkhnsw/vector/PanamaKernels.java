package io.flinkhnsw.vector;

import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
    /**
     * The int8 kernels' loads: LANES codes, widened to SPECIES. There is no byte shape narrower than
     * 64 bits, so with 4 float lanes (128-bit machines) a load reads 4 codes past the ones it uses.
     */
    private static final VectorSpecies<Byte> BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LANES * 8)));
    private static final boolean OVERREADS = BYTES.length() > LANES;

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

    /*
     * The int8 kernels load LANES codes as bytes and widen them to floats in one conversion, which
     * C2 compiles to vpmovsxbd + vcvtdq2ps; the arithmetic is then the float kernels': decode with
     * one FMA against the negated step, then FMA into the accumulator. The single squared L2 keeps
     * two accumulators, not four: with a third array to load per step, four ran 1.3-1.6x slower
     * than the float kernel at 104-200 dims (register spills), two about as fast as it.
     */

    @Override
    public float squaredL2Int8(float[] query, int qOff, float[] negStep, byte[] codes, int off, int len) {
        int i = 0;
        float sum = 0;
        if (len >= LANES) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = acc0;
            for (int upper = len - 2 * LANES; i <= upper; i += 2 * LANES) {
                FloatVector d0 = codes(codes, off + i).fma(FloatVector.fromArray(SPECIES, negStep, i),
                        FloatVector.fromArray(SPECIES, query, qOff + i));
                FloatVector d1 = codes(codes, off + i + LANES).fma(FloatVector.fromArray(SPECIES, negStep, i + LANES),
                        FloatVector.fromArray(SPECIES, query, qOff + i + LANES));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
            }
            for (int upper = len - LANES; i <= upper; i += LANES) {
                FloatVector d = codes(codes, off + i).fma(FloatVector.fromArray(SPECIES, negStep, i),
                        FloatVector.fromArray(SPECIES, query, qOff + i));
                acc0 = d.fma(d, acc0);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            float d = Math.fma(codes[off + i], negStep[i], query[qOff + i]);
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override
    public float dotInt8(float[] query, int qOff, byte[] codes, int off, int len) {
        int i = 0;
        float sum = 0;
        if (len >= LANES) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            for (int upper = len - 4 * LANES; i <= upper; i += 4 * LANES) {
                acc0 = FloatVector.fromArray(SPECIES, query, qOff + i).fma(codes(codes, off + i), acc0);
                acc1 = FloatVector.fromArray(SPECIES, query, qOff + i + LANES)
                        .fma(codes(codes, off + i + LANES), acc1);
                acc2 = FloatVector.fromArray(SPECIES, query, qOff + i + 2 * LANES)
                        .fma(codes(codes, off + i + 2 * LANES), acc2);
                acc3 = FloatVector.fromArray(SPECIES, query, qOff + i + 3 * LANES)
                        .fma(codes(codes, off + i + 3 * LANES), acc3);
            }
            for (int upper = len - LANES; i <= upper; i += LANES) {
                acc0 = FloatVector.fromArray(SPECIES, query, qOff + i).fma(codes(codes, off + i), acc0);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            sum = Math.fma(query[qOff + i], codes[off + i], sum);
        }
        return sum;
    }

    @Override
    public void squaredL2Int8Batch(float[] query, int qOff, float[] negStep, byte[] codes, int[] offsets, int n,
            int len, float[] out) {
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
                FloatVector q = FloatVector.fromArray(SPECIES, query, qOff + i);
                FloatVector step = FloatVector.fromArray(SPECIES, negStep, i);
                FloatVector d0 = codes(codes, o0 + i).fma(step, q);
                FloatVector d1 = codes(codes, o1 + i).fma(step, q);
                FloatVector d2 = codes(codes, o2 + i).fma(step, q);
                FloatVector d3 = codes(codes, o3 + i).fma(step, q);
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
    public void dotInt8Batch(float[] query, int qOff, byte[] codes, int[] offsets, int n, int len, float[] out) {
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
                FloatVector q = FloatVector.fromArray(SPECIES, query, qOff + i);
                acc0 = q.fma(codes(codes, o0 + i), acc0);
                acc1 = q.fma(codes(codes, o1 + i), acc1);
                acc2 = q.fma(codes(codes, o2 + i), acc2);
                acc3 = q.fma(codes(codes, o3 + i), acc3);
            }
            store(out, j, last, acc0.reduceLanes(VectorOperators.ADD), acc1.reduceLanes(VectorOperators.ADD),
                    acc2.reduceLanes(VectorOperators.ADD), acc3.reduceLanes(VectorOperators.ADD));
        }
    }

    @Override
    public void scaleInt8(byte[] codes, int off, float[] step, float[] out, int outOff, int len) {
        for (int i = 0; i < len; i += LANES) {
            codes(codes, off + i).mul(FloatVector.fromArray(SPECIES, step, i)).intoArray(out, outOff + i);
        }
    }

    @Override
    public float decodeDotInt8(byte[] codes, int off, float[] step, float[] base, float[] out, int outOff, int len) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int i = 0; i < len; i += LANES) {
            FloatVector s = FloatVector.fromArray(SPECIES, step, i);
            FloatVector b = FloatVector.fromArray(SPECIES, base, i);
            FloatVector x = codes(codes, off + i).fma(s, b);
            x.mul(s).intoArray(out, outOff + i);
            acc = x.fma(b, acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * LANES codes from {@code codes[off..)}, as floats of their signed values. Kept under C1's and
     * C2's size for inlining any call (33 bytes of bytecode), the rare path in its own method: a
     * vector returned by a call that is not inlined is allocated, and with the padded copy inline
     * this method (71 bytes) ran compiled on its own in some JVMs, where an int8 search then
     * allocated 24 KB ({@code SearchAllocationTest}).
     */
    private static FloatVector codes(byte[] codes, int off) {
        return OVERREADS ? paddedCodes(codes, off) : (FloatVector) ByteVector.fromArray(BYTES, codes, off).castShape(SPECIES, 0);
    }

    /** As {@link #codes}, where a wide load can run past the array's end: the last codes are read from a zero-padded copy. */
    private static FloatVector paddedCodes(byte[] codes, int off) {
        if (off > codes.length - BYTES.length()) {
            Objects.checkFromIndexSize(off, LANES, codes.length);
            codes = Arrays.copyOfRange(codes, off, off + BYTES.length());
            off = 0;
        }
        return (FloatVector) ByteVector.fromArray(BYTES, codes, off).convertShape(VectorOperators.B2F, SPECIES, 0);
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
