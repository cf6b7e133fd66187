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

    private static float[] randomArray(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }
}
