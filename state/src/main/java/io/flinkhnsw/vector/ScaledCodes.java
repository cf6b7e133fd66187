package io.flinkhnsw.vector;

/**
 * Int8 codes of single vectors, each with a scale of its own (its largest component / 127), and the
 * lower bound they give on a Euclidean distance: for x' = scale * codes, e(y, x) >= e(y, x') - e(x, x'),
 * and e(y, x')² = |y|² - 2 scale (y . codes) + scale² |codes|², one int8 dot product
 * ({@link VectorKernels#dotInt8Batch}). Every bound carries a slack ({@link #widen}, and a relative
 * one on the terms {@link #mayReach} subtracts), so float rounding never makes it exceed the true
 * distance. Used for the flat tier's scan ({@code FlatVectors}, codes of the vectors) and the standing
 * queries' index ({@code operators.SubscriptionIndex}, codes of offsets from a pivot).
 */
public final class ScaledCodes {
    /** Relative and absolute slack on every bound. */
    public static final float SLACK = 1e-4f;

    private ScaledCodes() {
    }

    /**
     * Writes the codes of {@code v[vOff..vOff+dim)} minus {@code origin[oOff..oOff+dim)} (minus zero
     * when {@code origin} is null) to {@code codes[cOff..cOff+dim)}, and at {@code slot} of the three
     * arrays its scale, scale² |codes|² and the Euclidean distance between the vector and its decoded
     * form, rounded up.
     */
    public static void encode(float[] v, int vOff, float[] origin, int oOff, int dim, byte[] codes, int cOff,
                              float[] scale, float[] scaledNorm, float[] error, int slot) {
        float largest = 0;
        for (int j = 0; j < dim; j++) {
            largest = Math.max(largest, Math.abs(v[vOff + j] - (origin == null ? 0 : origin[oOff + j])));
        }
        float step = largest / 127;
        double norm = 0;
        double miss2 = 0;
        for (int j = 0; j < dim; j++) {
            double offset = (double) v[vOff + j] - (origin == null ? 0 : origin[oOff + j]);
            int code = step == 0 ? 0 : (int) Math.max(-127, Math.min(127, Math.round(offset / step)));
            codes[cOff + j] = (byte) code;
            norm += (double) code * code;
            double miss = offset - (double) step * code;
            miss2 += miss * miss;
        }
        scale[slot] = step;
        scaledNorm[slot] = (float) (norm * step * step);
        error[slot] = (float) (Math.sqrt(miss2) * (1 + 1e-6) + 1e-7);
    }

    /**
     * Whether the lower bound on e(y, x), for the vector x whose codes have {@code codeDot} = y . codes,
     * is within {@code reach}, given yy = |y|² and the code's scale, scaled norm and error as
     * {@link #encode} stored them. Compared squared: no square root per vector.
     */
    public static boolean mayReach(float yy, float codeDot, float scale, float scaledNorm, float error, float reach) {
        float scaledDot = scale * codeDot;
        float squared = yy - 2 * scaledDot + scaledNorm;
        float rounding = SLACK * (yy + scaledNorm + 2 * Math.abs(scaledDot));
        float within = reach + error;
        return squared - rounding <= within * within;
    }

    /** {@code bound} with the slack added, for comparing a computed lower bound against it. */
    public static float widen(float bound) {
        return bound + SLACK * bound + SLACK;
    }
}
