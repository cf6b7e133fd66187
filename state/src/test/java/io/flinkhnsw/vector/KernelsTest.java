package io.flinkhnsw.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelsTest {
    private final VectorKernels scalar = new ScalarKernels();

    @Test
    void vectorApiIsAvailableInTestsAndChosen() {
        // Surefire runs with --add-modules jdk.incubator.vector: the fast path must be the one tested.
        assertThat(Kernels.vectorApiAvailable()).isTrue();
        assertThat(Kernels.best().name()).startsWith("vector-api");
    }

    @Test
    void vectorApiAgreesWithScalarOnEveryLengthAndOffset() {
        VectorKernels fast = Kernels.vectorApi();
        SplittableRandom random = new SplittableRandom(7);
        for (int dim = 1; dim <= 300; dim += (dim < 40 ? 1 : 37)) {
            float[] a = randomArray(random, dim + 5);
            float[] b = randomArray(random, dim + 9);
            for (int aOff : new int[] {0, 3}) {
                for (int bOff : new int[] {0, 7}) {
                    float l2 = scalar.squaredL2(a, aOff, b, bOff, dim);
                    float dot = scalar.dot(a, aOff, b, bOff, dim);
                    float tolerance = 1e-5f * dim + 1e-5f;
                    assertThat(fast.squaredL2(a, aOff, b, bOff, dim)).as("l2 dim %d", dim)
                            .isCloseTo(l2, within(tolerance * Math.max(1, Math.abs(l2))));
                    assertThat(fast.dot(a, aOff, b, bOff, dim)).as("dot dim %d", dim)
                            .isCloseTo(dot, within(tolerance * Math.max(1, Math.abs(dot))));
                }
            }
        }
    }

    /**
     * The README's promise that a restored key scores exactly as before on any machine with the same
     * kernel width rests on this: the Vector API kernels' result is a function of the width alone
     * (lane-wise exactly rounded FMA, lanes summed in order), the same interpreted as compiled
     * (checked before and after a JIT warm-up), and so on AVX2 and AVX-512 alike.
     */
    @Test
    void vectorApiResultsAreBitForBitTheSumInAnOrderFixedByTheWidth() {
        VectorKernels fast = Kernels.vectorApi();
        int lanes = fast.packedWidth();
        SplittableRandom random = new SplittableRandom(9);
        for (int round = 0; round < 2; round++) {
            for (int dim = 1; dim <= 300; dim += (dim < 40 ? 1 : 37)) {
                float[] a = randomArray(random, dim + 3);
                float[] b = randomArray(random, dim + 3);
                assertThat(Float.floatToRawIntBits(fast.squaredL2(a, 3, b, 0, dim)))
                        .as("l2 dim %d", dim).isEqualTo(Float.floatToRawIntBits(inLaneOrder(a, 3, b, 0, dim, lanes, true)));
                assertThat(Float.floatToRawIntBits(fast.dot(a, 0, b, 3, dim)))
                        .as("dot dim %d", dim).isEqualTo(Float.floatToRawIntBits(inLaneOrder(a, 0, b, 3, dim, lanes, false)));
            }
            float[] a = randomArray(random, 128);
            float[] b = randomArray(random, 128);
            for (int i = 0; i < 200_000; i++) {
                fast.squaredL2(a, 0, b, 0, 128);
                fast.dot(a, 0, b, 0, 128);
            }
        }
    }

    /** PanamaKernels' arithmetic written out lane by lane: four accumulators of {@code lanes}, then a scalar tail. */
    private static float inLaneOrder(float[] a, int aOff, float[] b, int bOff, int dim, int lanes, boolean l2) {
        int i = 0;
        float sum = 0;
        if (dim >= lanes) {
            float[][] acc = new float[4][lanes];
            for (; i <= dim - 4 * lanes; i += 4 * lanes) {
                for (int j = 0; j < 4; j++) {
                    for (int l = 0; l < lanes; l++) {
                        int at = i + j * lanes + l;
                        acc[j][l] = term(a[aOff + at], b[bOff + at], acc[j][l], l2);
                    }
                }
            }
            for (; i <= dim - lanes; i += lanes) {
                for (int l = 0; l < lanes; l++) {
                    acc[0][l] = term(a[aOff + i + l], b[bOff + i + l], acc[0][l], l2);
                }
            }
            for (int l = 0; l < lanes; l++) {
                sum += (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
            }
        }
        for (; i < dim; i++) {
            float x = l2 ? a[aOff + i] - b[bOff + i] : a[aOff + i];
            sum += x * (l2 ? x : b[bOff + i]);
        }
        return sum;
    }

    private static float term(float x, float y, float acc, boolean l2) {
        float d = x - y;
        return l2 ? Math.fma(d, d, acc) : Math.fma(x, y, acc);
    }

    @Test
    void batchKernelsAgreeWithSingleDistancesForEveryBatchSize() {
        SplittableRandom random = new SplittableRandom(8);
        for (VectorKernels kernels : new VectorKernels[] {scalar, Kernels.vectorApi()}) {
            int width = kernels.packedWidth();
            for (int len = width; len <= 12 * width; len += 3 * width) {
                float[] query = randomArray(random, len);
                float[] data = randomArray(random, 40 * len);
                for (int n = 0; n <= 9; n++) {
                    int[] offsets = new int[n];
                    for (int j = 0; j < n; j++) {
                        offsets[j] = random.nextInt(40) * len;
                    }
                    float[] l2 = new float[n + 1];
                    float[] dot = new float[n + 1];
                    l2[n] = -1;
                    dot[n] = -1;
                    kernels.squaredL2Batch(query, data, offsets, n, len, l2);
                    kernels.dotBatch(query, data, offsets, n, len, dot);
                    for (int j = 0; j < n; j++) {
                        float tolerance = 1e-5f * len;
                        float expectedL2 = scalar.squaredL2(query, 0, data, offsets[j], len);
                        float expectedDot = scalar.dot(query, 0, data, offsets[j], len);
                        assertThat(l2[j]).as("%s l2 %d of %d, len %d", kernels.name(), j, n, len)
                                .isCloseTo(expectedL2, within(tolerance * Math.max(1, Math.abs(expectedL2))));
                        assertThat(dot[j]).as("%s dot %d of %d, len %d", kernels.name(), j, n, len)
                                .isCloseTo(expectedDot, within(tolerance * Math.max(1, Math.abs(expectedDot))));
                    }
                    assertThat(l2[n]).as("nothing written past n").isEqualTo(-1);
                    assertThat(dot[n]).as("nothing written past n").isEqualTo(-1);
                }
            }
        }
    }

    @Test
    void int8KernelsAgreeWithEachOtherAndADoubleReference() {
        VectorKernels fast = Kernels.vectorApi();
        int lanes = fast.packedWidth();
        SplittableRandom random = new SplittableRandom(10);
        for (int len : new int[] {lanes, 2 * lanes, 13 * lanes, 98 * lanes}) {
            int count = 40;
            byte[] codes = randomCodes(random, count * len + 11);
            // Extreme codes: vector 0 all -128, vector 1 all 127, vector 2 alternating.
            for (int i = 0; i < len; i++) {
                codes[i] = Byte.MIN_VALUE;
                codes[len + i] = Byte.MAX_VALUE;
                codes[2 * len + i] = (i & 1) == 0 ? Byte.MIN_VALUE : Byte.MAX_VALUE;
            }
            int qOff = random.nextInt(6);
            float[] query = randomArray(random, qOff + len + 3);
            float[] negStep = new float[len + 2];
            for (int i = 0; i < negStep.length; i++) {
                negStep[i] = (float) (random.nextDouble() * -0.02 + 0.002);
            }
            for (int n = 0; n <= 9; n++) {
                int[] offsets = new int[n];
                for (int j = 0; j < n; j++) {
                    // Vectors 0-2 (the extremes) come up often; the rest at any offset, aligned or not.
                    offsets[j] = random.nextInt(4) == 0 ? random.nextInt(3) * len : random.nextInt(count * len + 12 - len);
                }
                float[][] l2 = new float[2][n + 1];
                float[][] dot = new float[2][n + 1];
                VectorKernels[] both = {scalar, fast};
                for (int k = 0; k < 2; k++) {
                    l2[k][n] = -1;
                    dot[k][n] = -1;
                    both[k].squaredL2Int8Batch(query, qOff, negStep, codes, offsets, n, len, l2[k]);
                    both[k].dotInt8Batch(query, qOff, codes, offsets, n, len, dot[k]);
                    assertThat(l2[k][n]).as("%s: nothing written past n", both[k].name()).isEqualTo(-1);
                    assertThat(dot[k][n]).as("%s: nothing written past n", both[k].name()).isEqualTo(-1);
                }
                for (int j = 0; j < n; j++) {
                    int off = offsets[j];
                    double refL2 = 0;
                    double refDot = 0;
                    double dotMagnitude = 0;
                    for (int i = 0; i < len; i++) {
                        double d = query[qOff + i] + (double) negStep[i] * codes[off + i];
                        refL2 += d * d;
                        refDot += (double) query[qOff + i] * codes[off + i];
                        dotMagnitude += Math.abs((double) query[qOff + i] * codes[off + i]);
                    }
                    double l2Tolerance = 1e-4 * refL2 + 1e-6;
                    double dotTolerance = 1e-4 * dotMagnitude + 1e-6;
                    for (int k = 0; k < 2; k++) {
                        VectorKernels kernels = both[k];
                        String what = String.format("%s vector %d of %d at %d, len %d", kernels.name(), j, n, off, len);
                        float single = kernels.squaredL2Int8(query, qOff, negStep, codes, off, len);
                        assertThat((double) single).as("l2 single, " + what).isCloseTo(refL2, within(l2Tolerance));
                        assertThat((double) l2[k][j]).as("l2 batch, " + what).isCloseTo(refL2, within(l2Tolerance));
                        float singleDot = kernels.dotInt8(query, qOff, codes, off, len);
                        assertThat((double) singleDot).as("dot single, " + what).isCloseTo(refDot, within(dotTolerance));
                        assertThat((double) dot[k][j]).as("dot batch, " + what).isCloseTo(refDot, within(dotTolerance));
                    }
                    assertThat((double) l2[1][j]).as("l2 vector api vs scalar, len %d", len)
                            .isCloseTo(l2[0][j], within(l2Tolerance));
                    assertThat((double) dot[1][j]).as("dot vector api vs scalar, len %d", len)
                            .isCloseTo(dot[0][j], within(dotTolerance));
                }
            }
        }
    }

    @Test
    void int8KernelsAreExactOnSmallIntegersAndExtremeCodes() {
        for (VectorKernels kernels : new VectorKernels[] {scalar, Kernels.vectorApi()}) {
            int len = 2 * kernels.packedWidth();
            float[] query = new float[len + 1];
            float[] negStep = new float[len];
            byte[] codes = new byte[len + 1];
            float expectedL2 = 0;
            float expectedDot = 0;
            for (int i = 0; i < len; i++) {
                query[i + 1] = i % 5 - 2;
                negStep[i] = i % 2 == 0 ? -1 : 0.5f;
                codes[i + 1] = i % 3 == 0 ? Byte.MIN_VALUE : i % 3 == 1 ? Byte.MAX_VALUE : (byte) -i;
                float d = query[i + 1] + negStep[i] * codes[i + 1];
                expectedL2 += d * d;
                expectedDot += query[i + 1] * codes[i + 1];
            }
            assertThat(kernels.squaredL2Int8(query, 1, negStep, codes, 1, len)).as(kernels.name()).isEqualTo(expectedL2);
            assertThat(kernels.dotInt8(query, 1, codes, 1, len)).as(kernels.name()).isEqualTo(expectedDot);
            float[] out = new float[2];
            kernels.squaredL2Int8Batch(query, 1, negStep, codes, new int[] {1, 1}, 2, len, out);
            assertThat(out).as(kernels.name()).containsExactly(expectedL2, expectedL2);
            kernels.dotInt8Batch(query, 1, codes, new int[] {1}, 1, len, out);
            assertThat(out[0]).as(kernels.name()).isEqualTo(expectedDot);
        }
    }

    /**
     * As {@link #vectorApiResultsAreBitForBitTheSumInAnOrderFixedByTheWidth} for the int8 kernels:
     * the single dot sums four accumulators as the float kernels do, the single squared L2 two, the
     * batch forms one per vector.
     */
    @Test
    void int8VectorApiResultsAreBitForBitTheSumInAnOrderFixedByTheWidth() {
        VectorKernels fast = Kernels.vectorApi();
        int lanes = fast.packedWidth();
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 2; round++) {
            for (int len = lanes; len <= 40 * lanes; len += (len < 8 * lanes ? lanes : 11 * lanes)) {
                float[] query = randomArray(random, len + 2);
                float[] negStep = randomArray(random, len);
                byte[] codes = randomCodes(random, 3 * len + 5);
                int[] offsets = {5, 2 * len + 1, len + 3};
                float[] l2 = new float[3];
                float[] dot = new float[3];
                fast.squaredL2Int8Batch(query, 2, negStep, codes, offsets, 3, len, l2);
                fast.dotInt8Batch(query, 2, codes, offsets, 3, len, dot);
                for (int j = 0; j < 3; j++) {
                    int off = offsets[j];
                    assertThat(Float.floatToRawIntBits(fast.squaredL2Int8(query, 2, negStep, codes, off, len)))
                            .as("l2 len %d", len)
                            .isEqualTo(Float.floatToRawIntBits(int8InLaneOrder(query, 2, negStep, codes, off, len, lanes, 2)));
                    assertThat(Float.floatToRawIntBits(fast.dotInt8(query, 2, codes, off, len))).as("dot len %d", len)
                            .isEqualTo(Float.floatToRawIntBits(int8InLaneOrder(query, 2, null, codes, off, len, lanes, 4)));
                    assertThat(Float.floatToRawIntBits(l2[j])).as("l2 batch len %d", len)
                            .isEqualTo(Float.floatToRawIntBits(int8InLaneOrder(query, 2, negStep, codes, off, len, lanes, 1)));
                    assertThat(Float.floatToRawIntBits(dot[j])).as("dot batch len %d", len)
                            .isEqualTo(Float.floatToRawIntBits(int8InLaneOrder(query, 2, null, codes, off, len, lanes, 1)));
                }
            }
            float[] query = randomArray(random, 128);
            float[] negStep = randomArray(random, 128);
            byte[] codes = randomCodes(random, 4 * 128);
            int[] offsets = {0, 128, 256, 384};
            float[] out = new float[4];
            for (int i = 0; i < 50_000; i++) {
                fast.squaredL2Int8(query, 0, negStep, codes, 0, 128);
                fast.dotInt8(query, 0, codes, 0, 128);
                fast.squaredL2Int8Batch(query, 0, negStep, codes, offsets, 4, 128, out);
                fast.dotInt8Batch(query, 0, codes, offsets, 4, 128, out);
            }
        }
    }

    /**
     * PanamaKernels' int8 arithmetic lane by lane: {@code accumulators} (4, 2 or 1) interleaved
     * accumulators of {@code lanes}, decoding with {@code fma(code, negStep, q)} (dot when negStep is
     * null); len is a multiple of lanes.
     */
    private static float int8InLaneOrder(float[] query, int qOff, float[] negStep, byte[] codes, int off, int len,
            int lanes, int accumulators) {
        float[][] acc = new float[4][lanes];
        int i = 0;
        for (; i <= len - accumulators * lanes; i += accumulators * lanes) {
            for (int j = 0; j < accumulators; j++) {
                for (int l = 0; l < lanes; l++) {
                    int at = i + j * lanes + l;
                    acc[j][l] = int8Term(query[qOff + at], negStep == null ? 0 : negStep[at], codes[off + at], acc[j][l],
                            negStep != null);
                }
            }
        }
        for (; i < len; i += lanes) {
            for (int l = 0; l < lanes; l++) {
                int at = i + l;
                acc[0][l] = int8Term(query[qOff + at], negStep == null ? 0 : negStep[at], codes[off + at], acc[0][l],
                        negStep != null);
            }
        }
        float sum = 0;
        for (int l = 0; l < lanes; l++) {
            sum += accumulators == 4 ? (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l])
                    : accumulators == 2 ? acc[0][l] + acc[1][l] : acc[0][l];
        }
        return sum;
    }

    private static float int8Term(float q, float negStep, byte code, float acc, boolean l2) {
        if (!l2) {
            return Math.fma(q, code, acc);
        }
        float d = Math.fma(code, negStep, q);
        return Math.fma(d, d, acc);
    }

    @Test
    void nodeQueryKernelsDecodeCodesAsTheReferenceDoes() {
        SplittableRandom random = new SplittableRandom(17);
        VectorKernels fast = Kernels.vectorApi();
        int width = fast.packedWidth();
        for (int len : new int[] {width, 13 * width, 98 * width}) {
            byte[] codes = randomCodes(random, len + 40);
            codes[3] = -128;
            codes[4] = 127;
            float[] step = randomArray(random, len);
            float[] base = randomArray(random, len);
            for (VectorKernels kernels : new VectorKernels[] {scalar, fast}) {
                float[] scaled = new float[len + 5];
                kernels.scaleInt8(codes, 3, step, scaled, 5, len);
                float[] decoded = new float[len + 5];
                float constant = kernels.decodeDotInt8(codes, 3, step, base, decoded, 5, len);
                double expectedConstant = 0;
                double magnitude = 0;
                for (int i = 0; i < len; i++) {
                    double x = base[i] + (double) step[i] * codes[3 + i];
                    assertThat((double) scaled[5 + i]).isCloseTo((double) step[i] * codes[3 + i], within(1e-4));
                    assertThat((double) decoded[5 + i]).isCloseTo(x * step[i], within(1e-4 * (1 + Math.abs(x))));
                    expectedConstant += x * base[i];
                    magnitude += Math.abs(x * base[i]);
                }
                assertThat((double) constant).as("%s at length %d", kernels.name(), len)
                        .isCloseTo(expectedConstant, within(1e-4 * (1 + magnitude)));
            }
        }
    }

    @Test
    void scalarKernelsAreExactOnSmallIntegers() {
        float[] a = {1, 2, 3, 4, 5};
        float[] b = {5, 4, 3, 2, 1};
        assertThat(scalar.squaredL2(a, 0, b, 0, 5)).isEqualTo(16 + 4 + 0 + 4 + 16);
        assertThat(scalar.dot(a, 0, b, 0, 5)).isEqualTo(5 + 8 + 9 + 8 + 5);
        assertThat(scalar.dot(a, 1, b, 2, 3)).isEqualTo(2 * 3 + 3 * 2 + 4 * 1);
    }

    @Test
    void parsesMetricNames() {
        assertThat(Metric.parse("l2")).isEqualTo(Metric.L2);
        assertThat(Metric.parse("IP")).isEqualTo(Metric.INNER_PRODUCT);
        assertThat(Metric.parse("cosine")).isEqualTo(Metric.COSINE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Metric.parse("hamming"))
                .hasMessageContaining("expected l2, ip or cosine");
    }

    private static byte[] randomCodes(SplittableRandom random, int n) {
        byte[] codes = new byte[n];
        for (int i = 0; i < n; i++) {
            codes[i] = (byte) random.nextInt(256);
        }
        return codes;
    }

    private static float[] randomArray(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }
}
