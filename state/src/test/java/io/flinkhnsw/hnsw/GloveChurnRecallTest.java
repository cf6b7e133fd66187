package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.SharedData;
import io.flinkhnsw.vector.Metric;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Recall@10 on real word embeddings (a 5k subset of glove-tune, cosine) against brute force, on a
 * fresh build and after 20 rounds of deleting and re-inserting a random 10 %: incremental repair
 * must keep the graph as good as a fresh one, and every live node reachable.
 */
class GloveChurnRecallTest {
    private static final int SIZE = 5000;
    private static final int QUERIES = 200;

    @Test
    void twentyRoundsOfTenPercentChurnKeepRecallAndReachability() {
        SharedData glove = SharedData.gloveTune();
        float[][] base = Arrays.copyOf(glove.base, SIZE);
        float[][] queries = Arrays.copyOf(glove.queries, QUERIES);
        int[][] truth = ExactKnn.topK(base, queries, 10, Metric.COSINE);
        HnswConfig config = HnswConfig.defaults(Metric.COSINE).withEfConstruction(100);

        HnswIndex fresh = HnswIndex.create(config, GraphStore.NONE);
        HnswIndex churned = HnswIndex.create(config, GraphStore.NONE);
        for (int i = 0; i < SIZE; i++) {
            fresh.upsert(Integer.toString(i), base[i]);
            churned.upsert(Integer.toString(i), base[i]);
        }
        RecallChecks.churn(churned, base, 20, 7);
        assertThat(churned.size()).isEqualTo(SIZE);
        assertThat(churned.unreachableCount()).isZero();
        GraphInvariants.check(churned);
        for (int ef : new int[] {20, 40, 80}) {
            double before = RecallChecks.recall(fresh, queries, truth, ef);
            double after = RecallChecks.recall(churned, queries, truth, ef);
            assertThat(after).as("recall at ef %d after churn (fresh %.4f)", ef, before)
                    .isGreaterThanOrEqualTo(before - 0.01);
        }
    }
}
