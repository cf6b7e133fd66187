package io.flinkhnsw.hnsw;

import java.util.Arrays;

/**
 * Int8 scalar quantization of one graph's vectors, per dimension: component {@code x} of dimension
 * {@code i} is stored as the signed byte {@code c} nearest to {@code (x - base[i]) / step[i]},
 * clamped to -128..127, and reads back as {@code base[i] + step[i] * c}. The ranges are learned once,
 * from the first vectors of a graph ({@link #train}), and never change afterwards, so codes written
 * at any time stay comparable; the graph's header stores them. Arrays are padded to the graph's
 * padded dimension with base and step 0, so padding adds nothing to any distance. Immutable.
 */
public final class ScalarQuantizer {
    /**
     * How far the learned range of a dimension is widened on each side, as a share of its width:
     * the first vectors rarely hold a dimension's extremes, and a value beyond the range is clamped.
     */
    static final double MARGIN = 0.125;
    private static final int LEVELS = 255;

    private final int dim;
    /** The value of code -128 minus 128 steps: {@code x = base + step * c}. */
    final float[] base;
    final float[] step;
    /** {@code -step}: the L2 kernel computes {@code q - base + negStep * c} with one FMA. */
    final float[] negStep;

    private ScalarQuantizer(int dim, float[] base, float[] step) {
        assert base.length == step.length && base.length >= dim;
        this.dim = dim;
        this.base = base;
        this.step = step;
        this.negStep = new float[step.length];
        for (int i = 0; i < step.length; i++) {
            negStep[i] = -step[i];
        }
    }

    /**
     * Learns the range of every dimension from {@code count} vectors stored in {@code vectors} at
     * {@code offsets[0..count)}, each {@code dim} floats, and pads the arrays to {@code paddedDim}.
     */
    static ScalarQuantizer train(float[] vectors, int[] offsets, int count, int dim, int paddedDim) {
        assert count > 0;
        float[] base = new float[paddedDim];
        float[] step = new float[paddedDim];
        for (int i = 0; i < dim; i++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < count; j++) {
                float x = vectors[offsets[j] + i];
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double width = Math.max(max - min, 1e-6 * Math.max(1.0, Math.abs(max)));
            double lo = min - MARGIN * width;
            double s = width * (1 + 2 * MARGIN) / LEVELS;
            step[i] = (float) s;
            base[i] = (float) (lo + 128 * s);
        }
        return new ScalarQuantizer(dim, base, step);
    }

    /** The quantizer of {@link #toArray}'s output, padded to the graph's padded dimension. */
    public static ScalarQuantizer fromArray(float[] baseThenStep) {
        int dim = baseThenStep.length / 2;
        if (baseThenStep.length != 2 * dim || dim == 0) {
            throw new IllegalArgumentException("a quantizer needs a base and a step per dimension, got "
                    + baseThenStep.length + " values");
        }
        int paddedDim = HnswGraph.paddedDimension(dim);
        float[] base = Arrays.copyOf(baseThenStep, paddedDim);
        Arrays.fill(base, dim, paddedDim, 0f);
        float[] step = new float[paddedDim];
        System.arraycopy(baseThenStep, dim, step, 0, dim);
        return new ScalarQuantizer(dim, base, step);
    }

    /** Base then step, {@link #dimension()} floats each: what a header stores. */
    public float[] toArray() {
        float[] out = new float[2 * dim];
        System.arraycopy(base, 0, out, 0, dim);
        System.arraycopy(step, 0, out, dim, dim);
        return out;
    }

    public int dimension() {
        return dim;
    }

    /** Writes the codes of {@code vector[from..from+dim)} into {@code codes[to..to+dim)}. */
    void encode(float[] vector, int from, byte[] codes, int to) {
        for (int i = 0; i < dim; i++) {
            double c = Math.rint((vector[from + i] - base[i]) / step[i]);
            codes[to + i] = (byte) Math.max(-128, Math.min(127, c));
        }
    }

    /** Bytes of the heap this quantizer holds. */
    long ramBytesUsed() {
        return RamUsage.object(4 + 3 * RamUsage.REFERENCE) + 3 * RamUsage.floats(base.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScalarQuantizer q && dim == q.dim && Arrays.equals(base, q.base)
                && Arrays.equals(step, q.step);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(base) + Arrays.hashCode(step);
    }

    @Override
    public String toString() {
        return "ScalarQuantizer{dim=" + dim + "}";
    }
}
