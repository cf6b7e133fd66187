package io.flinkhnsw.hnsw;

import io.flinkhnsw.data.ExactKnn;
import java.util.SplittableRandom;

/** What the recall tests share: recall@10 of an index against exact groundtruth, and rounds of churn. */
final class RecallChecks {
    private RecallChecks() {
    }

    /** Recall@10 of {@code index} searched at {@code ef} for each query, against {@code truth} (ids are row numbers). */
    static double recall(HnswIndex index, float[][] queries, int[][] truth, int ef) {
        int[][] found = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) {
            SearchResult r = index.search(queries[q], 10, ef);
            found[q] = new int[r.size()];
            for (int i = 0; i < r.size(); i++) {
                found[q][i] = Integer.parseInt(r.id(i));
            }
        }
        return ExactKnn.recall(found, truth, 10);
    }

    /** {@code rounds} times: deletes a random tenth of the rows of {@code base}, then re-inserts them. */
    static void churn(HnswIndex index, float[][] base, int rounds, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = base.length;
        for (int round = 0; round < rounds; round++) {
            int[] chosen = random.ints(0, n).distinct().limit(n / 10).toArray();
            for (int row : chosen) {
                index.delete(Integer.toString(row));
            }
            for (int row : chosen) {
                index.upsert(Integer.toString(row), base[row]);
            }
        }
    }
}
