package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.SharedData;
import io.flinkhnsw.vector.Metric;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Int8 graphs ({@link Quantization#INT8}) against brute force on real sets: recall on SIFT (L2) and a
 * glove-tune subset (cosine) next to the float graph's, exact distances after re-ranking, when the
 * quantizer is learned, the heap it saves, and deletes, repair and restore on quantized keys.
 */
class QuantizedIndexTest {
    private static final int GLOVE_SIZE = 5000;
    private static final int GLOVE_QUERIES = 200;
    private static SharedData sift;
    private static HnswIndex siftInt8;

    @BeforeAll
    static void build() {
        sift = SharedData.sift();
        siftInt8 = build(int8(Metric.L2), sift.base, GraphStore.NONE);
    }

    private static HnswConfig int8(Metric metric) {
        return HnswConfig.defaults(metric).withQuantization(Quantization.INT8);
    }

    private static HnswIndex build(HnswConfig config, float[][] base, GraphStore store) {
        HnswIndex index = HnswIndex.create(config, store);
        for (int i = 0; i < base.length; i++) {
            index.upsert(Integer.toString(i), base[i]);
        }
        return index;
    }


    @Test
    void siftReachesTheRecallTargetsOnCodes() {
        assertThat(siftInt8.graph().codes).as("the walk scores codes").isNotNull();
        assertThat(siftInt8.graph().vectors).as("no float copy on the heap").isNull();
        assertThat(RecallChecks.recall(siftInt8, sift.queries, sift.groundtruth, 64)).isGreaterThanOrEqualTo(0.95);
        assertThat(RecallChecks.recall(siftInt8, sift.queries, sift.groundtruth, 160)).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void gloveRecallStaysNearTheFloatGraphs() {
        SharedData glove = SharedData.gloveTune();
        float[][] base = Arrays.copyOf(glove.base, GLOVE_SIZE);
        float[][] queries = Arrays.copyOf(glove.queries, GLOVE_QUERIES);
        int[][] truth = ExactKnn.topK(base, queries, 10, Metric.COSINE);
        HnswConfig floats = HnswConfig.defaults(Metric.COSINE).withEfConstruction(100);
        HnswIndex reference = build(floats, base, GraphStore.NONE);
        HnswIndex quantized = build(floats.withQuantization(Quantization.INT8), base, GraphStore.NONE);
        for (int ef : new int[] {20, 40, 80}) {
            double expected = RecallChecks.recall(reference, queries, truth, ef);
            assertThat(RecallChecks.recall(quantized, queries, truth, ef)).as("recall at ef %d (float graph %.4f)", ef, expected)
                    .isGreaterThanOrEqualTo(expected - 0.02);
        }
        assertThat(RecallChecks.recall(quantized, queries, truth, 160)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void returnedDistancesAreTheFullPrecisionOnes() {
        for (int q = 0; q < 20; q++) {
            SearchResult r = siftInt8.search(sift.queries[q], 10, 64);
            for (int i = 0; i < r.size(); i++) {
                float[] v = sift.base[Integer.parseInt(r.id(i))];
                double exact = 0;
                for (int d = 0; d < v.length; d++) {
                    double diff = sift.queries[q][d] - v[d];
                    exact += diff * diff;
                }
                assertThat((double) r.distance(i)).isCloseTo(exact, within(exact * 1e-5 + 1e-3));
                if (i > 0) {
                    assertThat(r.distance(i)).isGreaterThanOrEqualTo(r.distance(i - 1));
                }
            }
        }
    }

    @Test
    void theQuantizerIsLearnedOnceFromTheFirstNodesAndKept() {
        HnswIndex index = HnswIndex.create(int8(Metric.L2), GraphStore.NONE);
        for (int i = 0; i < HnswGraph.TRAINING_NODES; i++) {
            index.upsert(Integer.toString(i), sift.base[i]);
        }
        assertThat(index.graph().codes).as("floats until the first upsert past the training set").isNull();
        assertThat(index.header().quantizer()).isNull();
        assertThat(index.offHeapBytesUsed()).as("a float graph until then, with nothing off the heap").isZero();
        index.upsert("0", sift.base[0]);
        assertThat(index.graph().codes).as("an upsert that changes nothing does not train").isNull();
        index.upsert("next", sift.base[HnswGraph.TRAINING_NODES]);
        ScalarQuantizer learned = index.header().quantizer();
        assertThat(learned).isNotNull();
        assertThat(index.graph().codes).isNotNull();
        for (int i = HnswGraph.TRAINING_NODES + 1; i < sift.base.length; i++) {
            index.upsert(Integer.toString(i), sift.base[i]);
        }
        assertThat(index.header().quantizer()).isEqualTo(learned);
        assertThat(ScalarQuantizer.fromArray(learned.toArray())).isEqualTo(learned);
    }

    @Test
    void codesTakeAQuarterOfTheFloatsHeapAndTheFloatsGoOffHeap() {
        HnswIndex floats = build(HnswConfig.defaults(Metric.L2), sift.base, GraphStore.NONE);
        long saved = floats.ramBytesUsed() - siftInt8.ramBytesUsed();
        long vectorBytes = 4L * siftInt8.graph().capacity() * siftInt8.graph().paddedDim;
        assertThat(saved).as("heap saved").isGreaterThanOrEqualTo(vectorBytes * 3 / 4 - 4096);
        assertThat(floats.offHeapBytesUsed()).isZero();
        assertThat(siftInt8.offHeapBytesUsed()).isGreaterThanOrEqualTo(4L * sift.base.length * sift.base[0].length);
    }

    @Test
    void churnOnCodesKeepsRecallReachabilityAndRestoresExactly() {
        MapGraphStore store = new MapGraphStore();
        HnswIndex churned = build(int8(Metric.L2), sift.base, store);
        RecallChecks.churn(churned, sift.base, 10, 5);
        assertThat(churned.size()).isEqualTo(sift.base.length);
        assertThat(churned.unreachableCount()).isZero();
        GraphInvariants.check(churned);
        for (int ef : new int[] {24, 64}) {
            assertThat(RecallChecks.recall(churned, sift.queries, sift.groundtruth, ef)).as("recall at ef %d after churn", ef)
                    .isGreaterThanOrEqualTo(RecallChecks.recall(siftInt8, sift.queries, sift.groundtruth, ef) - 0.01);
        }

        HnswIndex restored = HnswIndex.load(store);
        GraphInvariants.assertSameGraph(churned, restored);
        for (int q = 0; q < 50; q++) {
            SearchResult a = churned.search(sift.queries[q], 10, 40);
            SearchResult b = restored.search(sift.queries[q], 10, 40);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.id(i)).isEqualTo(a.id(i));
                assertThat(b.distance(i)).isEqualTo(a.distance(i));
            }
        }
        // the restored graph goes on exactly as the original
        for (int i = 0; i < 200; i++) {
            churned.delete(Integer.toString(i));
            restored.delete(Integer.toString(i));
            churned.upsert("again-" + i, sift.base[i]);
            restored.upsert("again-" + i, sift.base[i]);
        }
        GraphInvariants.assertSameGraph(churned, restored);
    }
}
