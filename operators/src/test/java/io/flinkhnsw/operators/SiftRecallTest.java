package io.flinkhnsw.operators;

import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recall@10 at ef 64 on the SIFT sample (4900 base vectors, 100 queries, L2) through the operator on
 * RocksDB, with the graph rebuilt from state halfway through the queries (a one-byte budget: another
 * key evicts it) so recall is measured on both the working copy and a reloaded graph.
 */
class SiftRecallTest {
    static final String SET = "sift-ngt5k-128-euclidean";

    @Test
    void recallAt10IsAtLeast95Percent() throws Exception {
        Path dir = locate(SET);
        float[][] base = Fvecs.readFloats(dir.resolve("base.fvecs"));
        float[][] queries = Fvecs.readFloats(dir.resolve("query.fvecs"));
        int[][] truth = Fvecs.readInts(dir.resolve("groundtruth.ivecs"));
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder()
                .defaultConfig(HnswConfig.defaults(Metric.L2)).indexMemoryBytes(1).maxVectorsPerKey(1_000_000).build())) {
            for (int i = 0; i < base.length; i++) {
                h.process(IndexEvent.upsert("sift", Integer.toString(i), base[i], null));
            }
            int found = 0;
            for (int q = 0; q < queries.length; q++) {
                if (q == queries.length / 2) {
                    h.process(IndexEvent.upsert("other", "x", new float[] {1}, null)); // evicts "sift"
                }
                QueryResult r = h.ask(IndexEvent.query("sift", "q" + q, queries[q], 10, 64));
                assertThat(r.indexSize).isEqualTo(base.length);
                Set<String> top = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    top.add(Integer.toString(truth[q][i]));
                }
                found += (int) r.neighbours.stream().filter(n -> top.contains(n.id)).count();
            }
            double recall = found / (10.0 * queries.length);
            assertThat(recall).isGreaterThanOrEqualTo(0.95);
            assertThat(h.drainRejected()).isEmpty();
        }
    }

    /** Finds {@code shared/data/<name>} walking up from the working directory (also as a sibling of the repo). */
    static Path locate(String name) throws IOException {
        for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : new Path[] {dir.resolve("shared/data").resolve(name),
                    dir.resolveSibling("shared").resolve("data").resolve(name)}) {
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IOException("data set " + name + " not found under any shared/data above " + System.getProperty("user.dir"));
    }
}
