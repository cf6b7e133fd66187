package io.flinkhnsw.operators;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kNN classification on a labelled set: the clustered generator's cluster ids as {@code label}
 * payloads (overlapping clusters, so neither vote is always right), each query's vote through the
 * operator (HNSW graph, default ef) against the vote over its exact k nearest neighbours (same tie
 * rule), both scored against the query's own cluster. Prints one JSON line with both accuracies;
 * the figure: within 0.5 points.
 */
class KnnVoteAccuracyTest {
    private static final int DIM = 16;
    private static final int BASE = 6000;
    private static final int QUERIES = 1000;
    private static final int K = 10;

    @Test
    void theVoteThroughTheIndexIsAsAccurateAsTheVoteOverTheExactNeighbours() throws Exception {
        ClusteredDataset data = new ClusteredDataset(DIM, 24, 0.7f, 17);
        int[] labels = new int[BASE];
        float[][] base = data.next(BASE, labels);
        int[] truth = new int[QUERIES];
        float[][] queries = data.next(QUERIES, truth);
        int indexRight = 0;
        int exactRight = 0;
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            for (int i = 0; i < BASE; i++) {
                h.process(IndexEvent.upsert("labelled", Integer.toString(i), base[i], label(labels[i])));
            }
            for (int q = 0; q < QUERIES; q++) {
                Vote index = h.ask(IndexEvent.query("labelled", "q" + q, queries[q], K, 0).withVote("label")).vote;
                List<Neighbour> exact = new ArrayList<>();
                for (int row : ExactKnn.nearest(base, queries[q], K, Metric.L2, r -> false)) {
                    exact.add(new Neighbour(Integer.toString(row), 0f, label(labels[row])));
                }
                String right = "\"c" + truth[q] + "\"";
                indexRight += right.equals(index.value) ? 1 : 0;
                exactRight += right.equals(KnnVote.of("label", exact).value) ? 1 : 0;
            }
            assertThat(h.drainRejected()).isEmpty();
        }
        double indexAccuracy = indexRight / (double) QUERIES;
        double exactAccuracy = exactRight / (double) QUERIES;
        System.out.println(String.format(Locale.ROOT,
                "{\"test\":\"knn_vote\",\"base\":%d,\"queries\":%d,\"k\":%d,\"dim\":%d,\"clusters\":24,\"spread\":0.7,"
                        + "\"index_accuracy\":%.4f,\"exact_accuracy\":%.4f,\"difference_points\":%.2f}",
                BASE, QUERIES, K, DIM, indexAccuracy, exactAccuracy, 100 * (exactAccuracy - indexAccuracy)));
        assertThat(exactAccuracy).as("the set is hard enough to tell votes apart").isBetween(0.5, 0.99);
        assertThat(Math.abs(indexAccuracy - exactAccuracy)).isLessThanOrEqualTo(0.005);
    }

    private static String label(int cluster) {
        return "{\"label\":\"c" + cluster + "\"}";
    }
}
