package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.vector.Metric;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HnswIndexTest {

    private static HnswIndex index(Metric metric) {
        return HnswIndex.create(HnswConfig.defaults(metric), GraphStore.NONE);
    }

    @Test
    void emptyIndexAnswersNothing() {
        HnswIndex index = index(Metric.L2);
        assertThat(index.search(new float[] {1, 2}, 5, 10).size()).isZero();
        assertThat(index.dimension()).isZero();
        assertThat(index.delete("x")).isFalse();
    }

    @Test
    void findsItsOwnVectorsFirst() {
        HnswIndex index = index(Metric.L2);
        float[][] data = new ClusteredDataset(16, 5, 0.2f, 1).next(500);
        for (int i = 0; i < data.length; i++) {
            index.upsert("v" + i, data[i]);
        }
        for (int i = 0; i < data.length; i += 17) {
            SearchResult r = index.search(data[i], 1, 50);
            assertThat(r.id(0)).isEqualTo("v" + i);
            assertThat(r.distance(0)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void matchesBruteForceOnEveryMetric(Metric metric) {
        ClusteredDataset gen = new ClusteredDataset(24, 10, 0.3f, 3);
        float[][] base = gen.next(2000);
        float[][] queries = gen.next(50);
        HnswIndex index = index(metric);
        for (int i = 0; i < base.length; i++) {
            index.upsert(Integer.toString(i), base[i]);
        }
        int[][] truth = ExactKnn.topK(base, queries, 10, metric);
        int[][] found = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) {
            SearchResult r = index.search(queries[q], 10, 100);
            found[q] = new int[r.size()];
            for (int i = 0; i < r.size(); i++) {
                found[q][i] = Integer.parseInt(r.id(i));
                if (i > 0) {
                    assertThat(r.distance(i)).isGreaterThanOrEqualTo(r.distance(i - 1));
                }
            }
        }
        assertThat(ExactKnn.recall(found, truth, 10)).as("recall@10 for %s", metric).isGreaterThan(0.97);
    }

    @Test
    void cosineDistanceIsOneMinusCosine() {
        HnswIndex index = index(Metric.COSINE);
        index.upsert("x", new float[] {3, 0});
        index.upsert("diag", new float[] {1, 1});
        SearchResult r = index.search(new float[] {0, 5}, 2, 10);
        assertThat(r.id(0)).isEqualTo("diag");
        assertThat(r.distance(0)).isCloseTo((float) (1 - Math.sqrt(0.5)), org.assertj.core.api.Assertions.within(1e-6f));
        assertThat(r.distance(1)).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-6f));
    }

    @Test
    void innerProductDistanceIsOneMinusDot() {
        HnswIndex index = index(Metric.INNER_PRODUCT);
        index.upsert("a", new float[] {1, 2});
        index.upsert("b", new float[] {3, 1});
        SearchResult r = index.search(new float[] {1, 1}, 2, 10);
        assertThat(r.id(0)).isEqualTo("b");
        assertThat(r.distance(0)).isEqualTo(1 - 4f);
        assertThat(r.distance(1)).isEqualTo(1 - 3f);
    }

    @Test
    void deletedIdsVanishFromResultsAtOnce() {
        HnswIndex index = index(Metric.L2);
        float[][] data = new ClusteredDataset(8, 3, 0.5f, 5).next(300);
        for (int i = 0; i < data.length; i++) {
            index.upsert("v" + i, data[i]);
        }
        assertThat(index.delete("v42")).isTrue();
        assertThat(index.contains("v42")).isFalse();
        assertThat(index.size()).isEqualTo(299);
        SearchResult r = index.search(data[42], 10, 64);
        for (int i = 0; i < r.size(); i++) {
            assertThat(r.id(i)).isNotEqualTo("v42");
        }
        assertThat(index.delete("v42")).isFalse();
        GraphInvariants.check(index);
    }

    @Test
    void upsertReplacesTheVectorAndLeavesNoStaleCopy() {
        HnswIndex index = index(Metric.L2);
        float[][] data = new ClusteredDataset(8, 3, 0.5f, 6).next(200);
        for (int i = 0; i < data.length; i++) {
            index.upsert("v" + i, data[i]);
        }
        float[] moved = new float[8];
        Arrays.fill(moved, 50f);
        index.upsert("v7", moved);
        assertThat(index.size()).isEqualTo(200);
        SearchResult nearOld = index.search(data[7], 200, 400);
        for (int i = 0; i < nearOld.size(); i++) {
            if (nearOld.id(i).equals("v7")) {
                assertThat(nearOld.distance(i)).as("only the new vector of v7 is returned").isGreaterThan(1000f);
            }
        }
        SearchResult nearNew = index.search(moved, 1, 10);
        assertThat(nearNew.id(0)).isEqualTo("v7");
        assertThat(nearNew.distance(0)).isZero();
        GraphInvariants.check(index);
    }

    @Test
    void reUpsertOfTheSameVectorChangesNothing() {
        MapGraphStore store = new MapGraphStore();
        HnswIndex index = HnswIndex.create(HnswConfig.defaults(Metric.L2), store);
        index.upsert("a", new float[] {1, 2, 3});
        int writes = store.writes;
        index.upsert("a", new float[] {1, 2, 3});
        assertThat(store.writes).isEqualTo(writes);
        assertThat(index.tombstones()).isZero();
    }

    @Test
    void deletingEverythingEmptiesTheIndex() {
        HnswIndex index = index(Metric.L2);
        for (int i = 0; i < 50; i++) {
            index.upsert("v" + i, new float[] {i, i * 2f});
        }
        for (int i = 0; i < 50; i++) {
            index.delete("v" + i);
        }
        assertThat(index.size()).isZero();
        assertThat(index.search(new float[] {1, 1}, 3, 10).size()).isZero();
        GraphInvariants.check(index);
        index.upsert("again", new float[] {1, 1});
        assertThat(index.search(new float[] {1, 1}, 3, 10).id(0)).isEqualTo("again");
    }

    @Test
    void rejectsBadInputWithClearReasonsAndStaysUnchanged() {
        HnswIndex index = index(Metric.COSINE);
        index.upsert("a", new float[] {1, 2, 3});
        assertThatThrownBy(() -> index.upsert("b", new float[] {1, 2})).isInstanceOf(InvalidVectorException.class)
                .hasMessage("vector has dimension 2 but this index holds vectors of dimension 3");
        assertThatThrownBy(() -> index.upsert("b", new float[] {1, Float.NaN, 3}))
                .hasMessage("vector component 1 is NaN; only finite numbers are allowed");
        assertThatThrownBy(() -> index.upsert("b", new float[] {1, 2, Float.POSITIVE_INFINITY}))
                .hasMessage("vector component 2 is Infinity; only finite numbers are allowed");
        assertThatThrownBy(() -> index.upsert("b", new float[] {0, 0, 0}))
                .hasMessage("vector is all zeros; it has no direction for cosine distance");
        assertThatThrownBy(() -> index.upsert(null, new float[] {1, 2, 3})).hasMessage("missing id");
        assertThatThrownBy(() -> index.upsert("", new float[] {1, 2, 3})).hasMessage("missing id");
        assertThatThrownBy(() -> index.upsert("b", null)).hasMessage("missing vector");
        assertThatThrownBy(() -> index.search(new float[] {1, 2, 3}, 0, 10))
                .hasMessage("k is 0; it must be between 1 and 1000");
        assertThatThrownBy(() -> index.search(new float[] {1, 2, 3}, 1001, 2000))
                .hasMessage("k is 1001; it must be between 1 and 1000");
        assertThatThrownBy(() -> index.search(new float[] {1, 2, 3}, 10, 5))
                .hasMessage("ef is 5; it must be at least k (10) and at most 100000");
        assertThatThrownBy(() -> index.search(new float[] {1, 2}, 1, 10))
                .hasMessage("query vector has dimension 2 but this index holds vectors of dimension 3");
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.tombstones()).isZero();
        assertThat(index.search(new float[] {1, 2, 3}, 1).id(0)).isEqualTo("a");
    }

    @Test
    void dimensionLimits() {
        HnswIndex index = index(Metric.L2);
        assertThatThrownBy(() -> index.upsert("a", new float[0]))
                .hasMessage("vector has dimension 0; supported dimensions are 1..4096");
        assertThatThrownBy(() -> index.upsert("a", new float[4097]))
                .hasMessage("vector has dimension 4097; supported dimensions are 1..4096");
        assertThat(index.dimension()).isZero();
        index.upsert("a", new float[4096]);
        assertThat(index.dimension()).isEqualTo(4096);
        assertThatThrownBy(() -> index.upsert("b", new float[] {5}))
                .hasMessage("vector has dimension 1 but this index holds vectors of dimension 4096");
    }

    @Test
    void configRejectsNonsense() {
        assertThatThrownBy(() -> HnswConfig.defaults(Metric.L2).withM(1)).hasMessageContaining("M must be in 2..512");
        assertThatThrownBy(() -> HnswConfig.defaults(Metric.L2).withEfConstruction(0))
                .hasMessageContaining("efConstruction");
    }

    /** hnswlib's M on layer 0 keeps fresh builds fast; 2M after deletes keeps churned graphs as dense as fresh ones. */
    @Test
    void newNodesSelectMLayerZeroLinksUntilTheFirstDeleteAndUpTo2MAfter() {
        ClusteredDataset data = new ClusteredDataset(64, 4, 0.5f, 5);
        float[][] base = data.next(1000);
        float[][] added = data.next(40);
        HnswIndex appendOnly = index(Metric.L2);
        HnswIndex churned = index(Metric.L2);
        for (int i = 0; i < base.length; i++) {
            appendOnly.upsert("v" + i, base[i]);
            churned.upsert("v" + i, base[i]);
        }
        churned.delete("v0");
        int m = HnswConfig.defaults(Metric.L2).m();
        int mostAppendOnly = 0;
        int mostChurned = 0;
        for (int i = 0; i < added.length; i++) {
            appendOnly.upsert("new" + i, added[i]);
            churned.upsert("new" + i, added[i]);
            mostAppendOnly = Math.max(mostAppendOnly, layerZeroLinks(appendOnly, "new" + i));
            mostChurned = Math.max(mostChurned, layerZeroLinks(churned, "new" + i));
        }
        assertThat(mostAppendOnly).as("links a new node selects before any delete").isLessThanOrEqualTo(m);
        assertThat(mostChurned).as("links a new node selects after a delete").isGreaterThan(m)
                .isLessThanOrEqualTo(2 * m);
    }

    private static int layerZeroLinks(HnswIndex index, String id) {
        HnswGraph g = index.graph();
        for (int node = 0; node < g.highWater; node++) {
            if (g.idEquals(node, id) && !g.tombstone[node]) {
                return g.linkCount(node, 0);
            }
        }
        throw new AssertionError(id + " not in the graph");
    }
}
