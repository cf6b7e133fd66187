package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.vector.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Random mixes of inserts, upserts and deletes: structure, reachability, repair, determinism and reload mid-repair. */
class GraphMaintenanceTest {

    /** Applies a seeded random mix of operations to {@code index}; the same seed gives the same mix. */
    private static void randomMix(HnswIndex index, long seed, int operations, int dim) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] pool = new ClusteredDataset(dim, 8, 0.4f, seed).next(600);
        List<String> ids = new ArrayList<>();
        int sizeBefore = index.size();
        for (int op = 0; op < operations; op++) {
            int choice = random.nextInt(10);
            if (choice < 6 || ids.isEmpty()) {
                String id = "s" + seed + "-" + op;
                index.upsert(id, pool[random.nextInt(pool.length)]);
                ids.add(id);
            } else if (choice < 8) {
                index.upsert(ids.get(random.nextInt(ids.size())), pool[random.nextInt(pool.length)]);
            } else {
                String id = ids.remove(random.nextInt(ids.size()));
                assertThat(index.delete(id)).isTrue();
            }
        }
        assertThat(index.size()).isEqualTo(sizeBefore + ids.size());
        for (String id : ids) {
            assertThat(index.contains(id)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void invariantsHoldThroughRandomMixes(long seed) {
        HnswIndex index = HnswIndex.create(HnswConfig.defaults(Metric.L2).withM(6).withEfConstruction(40)
                .withSeed(seed), GraphStore.NONE);
        for (int part = 0; part < 3; part++) {
            randomMix(index, seed * 10 + part, 1500, 12);
            GraphInvariants.check(index);
            assertThat(index.unreachableCount()).as("unreachable after part %d", part).isZero();
        }
        index.finishRepairs();
        GraphInvariants.check(index);
        assertThat(index.tombstones()).isZero();
        assertThat(index.unreachableCount()).isZero();
    }

    @Test
    void aBurstOfDeletesIsRepairedByTheFollowingChangesAndFreesItsSlots() {
        HnswIndex index = HnswIndex.create(HnswConfig.defaults(Metric.L2), GraphStore.NONE);
        float[][] data = new ClusteredDataset(8, 4, 0.3f, 9).next(1200);
        for (int i = 0; i < 1000; i++) {
            index.upsert("a" + i, data[i]);
        }
        int highWater = index.header().highWater();
        deleteUntilRepairIsPending(index);
        for (int i = 0; i < 600; i++) {
            index.delete("a" + i);
        }
        GraphInvariants.check(index);
        assertThat(index.unreachableCount()).isZero();
        for (int i = 1000; i < 1200; i++) {
            index.upsert("b" + i, data[i]);
        }
        assertThat(index.tombstones()).as("the next changes finish the repair").isZero();
        assertThat(index.header().highWater()).as("freed slots are reused").isEqualTo(highWater);
        GraphInvariants.check(index);
        assertThat(index.unreachableCount()).isZero();
    }

    @Test
    void aNewNodeTakesTheFreeSlotNearestToItsNearestNeighbour() {
        HnswIndex index = HnswIndex.create(HnswConfig.defaults(Metric.L2).withM(4), GraphStore.NONE);
        for (int i = 0; i < 200; i++) {
            index.upsert("v" + i, new float[] {i, 0});
        }
        index.delete("v20");
        index.delete("v150");
        for (int i = 190; i < 200; i++) {
            index.delete("v" + i);
        }
        HnswGraph graph = index.graph();
        assertThat(graph.levels[20]).as("slot 20 freed by the repair").isEqualTo((byte) HnswGraph.FREE);
        assertThat(graph.levels[150]).as("slot 150 freed by the repair").isEqualTo((byte) HnswGraph.FREE);
        index.upsert("beside-150", new float[] {150.2f, 0});
        index.upsert("beside-20", new float[] {20.2f, 0});
        assertThat(index.nodeOf("beside-150")).isEqualTo(150);
        assertThat(index.nodeOf("beside-20")).isEqualTo(20);
        GraphInvariants.check(index);
    }

    @Test
    void deletingTheEntryPointChoosesANewOneOnTheTopLiveLayer() {
        HnswIndex index = HnswIndex.create(HnswConfig.defaults(Metric.L2).withM(4), GraphStore.NONE);
        float[][] data = new ClusteredDataset(6, 3, 0.3f, 10).next(500);
        for (int i = 0; i < data.length; i++) {
            index.upsert("v" + i, data[i]);
        }
        for (int round = 0; round < 8; round++) {
            String entryId = index.graph().id(index.graph().entryPoint);
            index.delete(entryId);
            GraphInvariants.check(index);
            assertThat(index.graph().id(index.graph().entryPoint)).isNotEqualTo(entryId);
        }
        assertThat(index.unreachableCount()).isZero();
    }

    @Test
    void aPairThatOnlyLinksToEachOtherIsLinkedBackByTheNextChange() {
        HnswIndex index = HnswIndex.create(HnswConfig.defaults(Metric.L2).withM(4).withSeed(3), GraphStore.NONE);
        float[][] data = new ClusteredDataset(6, 3, 0.3f, 12).next(401);
        for (int i = 0; i < 400; i++) {
            index.upsert("v" + i, data[i]);
        }
        HnswGraph g = index.graph();
        int a = index.nodeOf("v10");
        int b = index.nodeOf("v11");
        assertThat(g.entryPoint).isNotIn(a, b);
        // what churn leaves now and then: two nodes linking to each other, and nothing else to either
        g.setLinks(a, 0, new int[] {b}, 1);
        g.setLinks(b, 0, new int[] {a}, 1);
        for (int node = 0; node < g.highWater; node++) {
            if (node == a || node == b || !g.isLive(node)) {
                continue;
            }
            int[] links = new int[g.maxConn0];
            int kept = 0;
            int[] array = g.linkArray(node, 0);
            int base = g.linkBase(node, 0);
            for (int i = 1; i <= array[base]; i++) {
                if (array[base + i] != a && array[base + i] != b) {
                    links[kept++] = array[base + i];
                }
            }
            if (kept < array[base]) {
                g.setLinks(node, 0, links, kept);
            }
        }
        assertThat(g.inDegree0[a]).isEqualTo(1);
        assertThat(g.inDegree0[b]).isEqualTo(1);
        assertThat(index.unreachableCount()).isEqualTo(2);

        index.upsert("v400", data[400]);

        assertThat(index.unreachableCount()).isZero();
        GraphInvariants.check(index);
    }

    @Test
    void sameOperationsGiveTheSameGraphAndAnswers() {
        HnswIndex a = HnswIndex.create(HnswConfig.defaults(Metric.COSINE).withSeed(5), GraphStore.NONE);
        HnswIndex b = HnswIndex.create(HnswConfig.defaults(Metric.COSINE).withSeed(5), GraphStore.NONE);
        randomMix(a, 11, 1500, 10);
        randomMix(b, 11, 1500, 10);
        GraphInvariants.assertSameGraph(a, b);
        assertSameAnswers(a, b, 21);
    }

    @Test
    void aStoreTakenMidRepairReloadsToTheSameIndexThatStaysEqual() {
        MapGraphStore store = new MapGraphStore();
        HnswIndex original = HnswIndex.create(HnswConfig.defaults(Metric.L2).withSeed(3), store);
        randomMix(original, 12, 1500, 10);
        deleteUntilRepairIsPending(original);
        HnswIndex reloaded = HnswIndex.load(store);
        GraphInvariants.check(reloaded);
        GraphInvariants.assertSameGraph(original, reloaded);
        assertThat(reloaded.graph().inLinks().ramBytesUsed()).as("a load sizes every reverse-link list once")
                .isLessThanOrEqualTo(original.graph().inLinks().ramBytesUsed());
        assertSameAnswers(original, reloaded, 22);
        // Both go on with the same further operations: still identical (levels, slot reuse, consolidation).
        MapGraphStore copyStore = new MapGraphStore();
        HnswIndex reference = HnswIndex.create(HnswConfig.defaults(Metric.L2).withSeed(3), copyStore);
        randomMix(reference, 12, 1500, 10);
        deleteUntilRepairIsPending(reference);
        randomMix(reference, 13, 800, 10);
        randomMix(reloaded, 13, 800, 10);
        GraphInvariants.assertSameGraph(reference, reloaded);
        assertSameAnswers(reference, reloaded, 23);
        assertThat(HnswIndex.load(store).header()).isEqualTo(reloaded.header());
    }

    @Test
    void aLoadedGraphGrowsWithoutReverseLinksAndBuildsThemAtItsFirstRepairIntoTheSameGraph() {
        MapGraphStore store = new MapGraphStore();
        HnswIndex original = HnswIndex.create(HnswConfig.defaults(Metric.L2).withSeed(6), store);
        HnswIndex reference = HnswIndex.create(HnswConfig.defaults(Metric.L2).withSeed(6), new MapGraphStore());
        for (HnswIndex index : List.of(original, reference)) {
            randomMix(index, 14, 1000, 10);
            grow(index, 15, 0, 1);
            for (int i = 1; index.tombstones() > 0; i++) {
                grow(index, 15, i, 1); // until repair is done: the load has nothing to repair
            }
        }
        HnswIndex reloaded = HnswIndex.load(store);
        assertThat(reloaded.ramBytesUsed()).as("no reverse links until repair needs them")
                .isLessThan(reference.ramBytesUsed());
        grow(reloaded, 16, 0, 300);
        grow(reference, 16, 0, 300);
        GraphInvariants.assertSameGraph(reference, reloaded);
        randomMix(reloaded, 17, 600, 10); // its first delete builds them
        randomMix(reference, 17, 600, 10);
        GraphInvariants.check(reloaded);
        GraphInvariants.assertSameGraph(reference, reloaded);
        assertSameAnswers(reference, reloaded, 24);
    }

    /** Inserts {@code count} new ids, the first numbered {@code from}. */
    private static void grow(HnswIndex index, long seed, int from, int count) {
        float[][] pool = new ClusteredDataset(10, 8, 0.4f, seed).next(600);
        for (int i = from; i < from + count; i++) {
            index.upsert("g" + seed + "-" + i, pool[i % pool.length]);
        }
    }

    /**
     * Deletes live nodes, most linked-to first, until a delete leaves repair work for later calls
     * (its in-links outnumber the per-call budget): the index is then mid-repair.
     */
    private static void deleteUntilRepairIsPending(HnswIndex index) {
        HnswGraph g = index.graph();
        List<Integer> nodes = new ArrayList<>();
        for (int node = 0; node < g.highWater; node++) {
            if (g.isLive(node)) {
                nodes.add(node);
            }
        }
        nodes.sort((a, b) -> Integer.compare(inLinks(g, b), inLinks(g, a)));
        for (int node : nodes.subList(0, Math.min(50, nodes.size()))) {
            if (g.isLive(node)) {
                index.delete(g.id(node));
            }
            if (index.pendingRepairs() > 0) {
                return;
            }
        }
        throw new AssertionError("no delete left repair work pending");
    }

    private static int inLinks(HnswGraph g, int node) {
        int total = 0;
        for (int layer = 0; layer <= g.levels[node]; layer++) {
            total += g.inLinks().sources(node, layer).length;
        }
        return total;
    }

    @Test
    void aStoreThatWasNeverWrittenLoadsAsNothing() {
        assertThat(HnswIndex.load(new MapGraphStore())).isNull();
    }

    private static void assertSameAnswers(HnswIndex a, HnswIndex b, long seed) {
        for (float[] q : new ClusteredDataset(10, 8, 0.4f, seed).next(30)) {
            SearchResult x = a.search(q, 10, 50);
            SearchResult y = b.search(q, 10, 50);
            assertThat(y.size()).isEqualTo(x.size());
            for (int i = 0; i < x.size(); i++) {
                assertThat(y.id(i)).isEqualTo(x.id(i));
                assertThat(y.distance(i)).isEqualTo(x.distance(i));
            }
        }
    }
}
