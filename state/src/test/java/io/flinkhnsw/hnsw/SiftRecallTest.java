package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.SharedData;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Recall@10 on the real SIFT set against its exact groundtruth, fresh and after churn. */
class SiftRecallTest {
    private static SharedData sift;
    private static HnswIndex index;

    @BeforeAll
    static void build() {
        sift = SharedData.sift();
        index = HnswIndex.create(HnswConfig.defaults(Metric.L2), GraphStore.NONE);
        for (int i = 0; i < sift.base.length; i++) {
            index.upsert(Integer.toString(i), sift.base[i]);
        }
    }

    private static double recall(HnswIndex idx, int ef) {
        return RecallChecks.recall(idx, sift.queries, sift.groundtruth, ef);
    }

    @Test
    void reachesTheRecallTargets() {
        assertThat(recall(index, 40)).isGreaterThanOrEqualTo(0.95);
        assertThat(recall(index, 160)).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void bruteForceReproducesTheShippedGroundtruth() {
        int[][] truth = ExactKnn.topK(sift.base, sift.queries, 10, Metric.L2);
        for (int q = 0; q < truth.length; q++) {
            for (int r = 0; r < 10; r++) {
                assertThat(truth[q][r]).isEqualTo(sift.groundtruth[q][r]);
            }
        }
    }

    @Test
    void churnKeepsRecallAndReachability() {
        HnswIndex churned = HnswIndex.create(HnswConfig.defaults(Metric.L2), GraphStore.NONE);
        for (int i = 0; i < sift.base.length; i++) {
            churned.upsert(Integer.toString(i), sift.base[i]);
        }
        RecallChecks.churn(churned, sift.base, 10, 99);
        assertThat(churned.size()).isEqualTo(sift.base.length);
        assertThat(churned.unreachableCount()).isZero();
        GraphInvariants.check(churned);
        for (int ef : new int[] {24, 64}) {
            assertThat(recall(churned, ef)).as("recall at ef %d after churn", ef)
                    .isGreaterThanOrEqualTo(recall(index, ef) - 0.01);
        }
    }
}
