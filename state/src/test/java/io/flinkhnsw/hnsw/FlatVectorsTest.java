package io.flinkhnsw.hnsw;

import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;
import io.flinkhnsw.vector.VectorKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact scan of {@link FlatVectors} with its int8 codes: through random appends, replacements
 * and removals (codes built mid-way, moved with their slots, grown with the arrays), every search
 * answers exactly the k nearest by the batch kernels' own distances, ties by slot, with and without
 * a filter, and with a bound it leaves out nothing within the bound. The vectors include exact
 * duplicates (ties), a zero vector and components far apart in magnitude.
 */
class FlatVectorsTest {
    private static final VectorKernels KERNELS = Kernels.best();
    private static final int DIM = 2 * KERNELS.packedWidth() * 4;

    @ParameterizedTest
    @EnumSource(value = Metric.class, names = {"L2", "COSINE"})
    void codedScansAnswerExactlyTheNearestSlots(Metric metric) {
        SplittableRandom random = new SplittableRandom(metric.ordinal() + 7);
        FlatVectors flat = new FlatVectors(DIM, metric, 1);
        List<float[]> pool = new ArrayList<>();
        int nextId = 0;
        int searches = 0;
        for (int op = 0; op < 6_000; op++) {
            int roll = random.nextInt(100);
            if (flat.size() < 300 || roll < 55) {
                float[] v = roll < 5 && !pool.isEmpty() ? pool.get(random.nextInt(pool.size())).clone()
                        : vector(random, metric, op == 0);
                pool.add(v);
                flat.append("id-" + nextId++, v);
            } else if (roll < 75) {
                flat.replace(random.nextInt(flat.size()), vector(random, metric, false));
            } else if (roll < 95) {
                flat.remove(random.nextInt(flat.size()));
            } else {
                continue;
            }
            if (op % 40 == 0) {
                float[] query = vector(random, metric, false);
                int k = 1 + random.nextInt(40);
                IdFilter filter = random.nextBoolean() ? null : new EvenIds();
                long[] expected = nearest(flat, metric, query, k, filter);
                assertThat(search(flat, query, k, filter, Float.POSITIVE_INFINITY)).containsExactly(expected);
                if (expected.length > 0) {
                    float bound = ScoredNode.distance(expected[random.nextInt(expected.length)]);
                    long[] bounded = search(flat, query, k, filter, bound);
                    assertThat(within(bounded, bound)).containsExactly(within(expected, bound));
                }
                searches++;
            }
        }
        assertThat(flat.size()).isGreaterThan(FlatVectors.CODED_MIN);
        assertThat(searches).isGreaterThan(100);
    }

    private static long[] search(FlatVectors flat, float[] query, int k, IdFilter filter, float bound) {
        long[] out = new long[k];
        int n = flat.search(query, k, filter, bound, new LongMinHeap(k + 1), out);
        return Arrays.copyOf(out, n);
    }

    /** The k nearest by scoring every slot alone with the batch kernels, sorted by distance, then slot. */
    private static long[] nearest(FlatVectors flat, Metric metric, float[] query, int k, IdFilter filter) {
        float[] copy = new float[DIM];
        float[] score = new float[1];
        List<Long> all = new ArrayList<>();
        for (int slot = 0; slot < flat.size(); slot++) {
            if (filter != null && !filter.acceptsId(flat.id(slot))) {
                continue;
            }
            flat.copyVector(slot, copy);
            if (metric == Metric.L2) {
                KERNELS.squaredL2Batch(query, copy, new int[] {0}, 1, DIM, score);
                all.add(ScoredNode.encode(score[0], slot));
            } else {
                KERNELS.dotBatch(query, copy, new int[] {0}, 1, DIM, score);
                all.add(ScoredNode.encode(1f - score[0], slot));
            }
        }
        return all.stream().sorted().limit(k).mapToLong(Long::longValue).toArray();
    }

    private static long[] within(long[] scored, float bound) {
        return Arrays.stream(scored).filter(c -> ScoredNode.distance(c) <= bound).toArray();
    }

    private static float[] vector(SplittableRandom random, Metric metric, boolean zero) {
        float[] v = new float[DIM];
        if (zero && metric == Metric.L2) {
            return v;
        }
        int cluster = random.nextInt(4);
        for (int i = 0; i < DIM; i++) {
            float spread = i % 17 == 0 ? 50f : 1f;
            v[i] = (float) (cluster * 0.5 + random.nextGaussian() * 0.2 * spread);
        }
        return VectorValidator.prepare(v, DIM, metric, "vector");
    }

    /** Accepts ids with an even number. */
    private static final class EvenIds implements IdFilter {
        @Override
        public int matchCount(int liveIds) {
            return liveIds / 2;
        }

        @Override
        public boolean acceptsNode(int node, NodeIds ids) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean acceptsId(String id) {
            return Integer.parseInt(id.substring(3)) % 2 == 0;
        }

        @Override
        public boolean forEachMatch(MatchVisitor visitor) {
            return false;
        }
    }
}
