package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural checks of an {@link HnswGraph} that must hold after any sequence of operations: degree
 * bounds, links only to nodes that exist on that layer, the reverse-link index equal to the links
 * reversed from scratch, counts, the entry point, and the repair queue.
 */
final class GraphInvariants {
    private GraphInvariants() {
    }

    static void check(HnswIndex index) {
        HnswGraph g = index.graph();
        if (g == null) {
            assertThat(index.size()).isZero();
            return;
        }
        int live = 0;
        int tombstones = 0;
        int topLiveLevel = -1;
        for (int node = 0; node < g.highWater; node++) {
            if (g.levels[node] == HnswGraph.FREE) {
                continue;
            }
            if (g.tombstone[node]) {
                tombstones++;
            } else {
                live++;
                assertThat(index.contains(g.id(node))).as("id of live node %d is indexed", node).isTrue();
                topLiveLevel = Math.max(topLiveLevel, g.levels[node]);
            }
            for (int layer = 0; layer <= g.levels[node]; layer++) {
                int[] array = g.linkArray(node, layer);
                int base = g.linkBase(node, layer);
                int count = array[base];
                assertThat(count).as("degree of %d on layer %d", node, layer)
                        .isBetween(0, g.maxConnections(layer));
                Set<Integer> seen = new HashSet<>();
                for (int i = 1; i <= count; i++) {
                    int target = array[base + i];
                    assertThat(target).as("link target of %d", node).isBetween(0, g.highWater - 1);
                    assertThat(target).as("self link of %d", node).isNotEqualTo(node);
                    assertThat((int) g.levels[target]).as("link %d->%d on layer %d points to a node on that layer",
                            node, target, layer).isGreaterThanOrEqualTo(layer);
                    assertThat(seen.add(target)).as("duplicate link %d->%d", node, target).isTrue();
                }
            }
        }
        checkInLinks(g);
        assertThat(live).isEqualTo(index.size()).isEqualTo(g.liveCount);
        assertThat(tombstones).isEqualTo(g.tombstoneCount);
        if (live == 0) {
            assertThat(g.entryPoint).isEqualTo(GraphHeader.NO_ENTRY);
        } else {
            assertThat(g.isLive(g.entryPoint)).as("entry point %d is live", g.entryPoint).isTrue();
            assertThat((int) g.levels[g.entryPoint]).as("entry point on the top live layer").isEqualTo(g.maxLevel)
                    .isEqualTo(topLiveLevel);
        }
        checkRepairQueue(g);
    }

    /** The reverse-link index holds exactly the links, reversed, on every layer, and the layer-0 in-degrees match. */
    private static void checkInLinks(HnswGraph g) {
        Map<Long, List<Integer>> expected = new HashMap<>();
        for (int node = 0; node < g.highWater; node++) {
            for (int layer = 0; g.levels[node] != HnswGraph.FREE && layer <= g.levels[node]; layer++) {
                for (int target : links(g, node, layer)) {
                    expected.computeIfAbsent(((long) target << 8) | layer, k -> new ArrayList<>()).add(node);
                }
            }
        }
        for (int node = 0; node < g.highWater; node++) {
            for (int layer = 0; g.levels[node] != HnswGraph.FREE && layer <= g.levels[node]; layer++) {
                int[] actual = g.inLinks().sources(node, layer);
                Arrays.sort(actual);
                int[] want = expected.getOrDefault(((long) node << 8) | layer, List.of()).stream()
                        .mapToInt(Integer::intValue).sorted().toArray();
                assertThat(actual).as("in-links of %d on layer %d", node, layer).isEqualTo(want);
                if (layer == 0) {
                    assertThat(g.inDegree0[node]).as("layer-0 in-degree of %d", node).isEqualTo(want.length);
                }
            }
        }
    }

    /** Exactly the tombstones wait for repair, in strictly increasing deletion sequence. */
    private static void checkRepairQueue(HnswGraph g) {
        TombstoneQueue queue = g.repairQueue;
        Set<Integer> queued = new HashSet<>();
        for (int i = 0; i < queue.size(); i++) {
            int node = queue.node(i);
            assertThat((int) g.levels[node]).as("queued %d is a node", node).isNotEqualTo(HnswGraph.FREE);
            assertThat(g.tombstone[node]).as("queued %d is a tombstone", node).isTrue();
            assertThat(queued.add(node)).isTrue();
            assertThat(queue.sequence(i)).isLessThan(g.deleteSequence);
            if (i > 0) {
                assertThat(queue.sequence(i)).isGreaterThan(queue.sequence(i - 1));
            }
        }
        assertThat(queued).hasSize(g.tombstoneCount);
    }

    /** Every array of the two graphs, compared slot by slot, and their repair queues. */
    static void assertSameGraph(HnswIndex a, HnswIndex b) {
        HnswGraph x = a.graph();
        HnswGraph y = b.graph();
        assertThat(a.header()).isEqualTo(b.header());
        assertThat(y.codes == null).as("int8 codes in both or neither").isEqualTo(x.codes == null);
        assertThat(y.repairQueue.size()).as("pending repairs").isEqualTo(x.repairQueue.size());
        for (int i = 0; i < x.repairQueue.size(); i++) {
            assertThat(y.repairQueue.node(i)).isEqualTo(x.repairQueue.node(i));
            assertThat(y.repairQueue.sequence(i)).isEqualTo(x.repairQueue.sequence(i));
        }
        for (int node = 0; node < x.highWater; node++) {
            assertThat(y.levels[node]).as("level of %d", node).isEqualTo(x.levels[node]);
            if (x.levels[node] == HnswGraph.FREE) {
                continue;
            }
            assertThat(y.id(node)).isEqualTo(x.id(node));
            assertThat(y.tombstone[node]).isEqualTo(x.tombstone[node]);
            float[] vx = new float[x.dim];
            float[] vy = new float[y.dim];
            x.readVector(node, vx);
            y.readVector(node, vy);
            assertThat(vy).as("vector of %d", node).isEqualTo(vx);
            if (x.codes != null) {
                assertThat(Arrays.copyOfRange(y.codes, y.vectorOffset(node), y.vectorOffset(node) + y.dim))
                        .as("codes of %d", node)
                        .isEqualTo(Arrays.copyOfRange(x.codes, x.vectorOffset(node), x.vectorOffset(node) + x.dim));
            }
            for (int layer = 0; layer <= x.levels[node]; layer++) {
                assertThat(links(y, node, layer)).as("links of %d on layer %d", node, layer)
                        .isEqualTo(links(x, node, layer));
            }
        }
    }

    private static int[] links(HnswGraph g, int node, int layer) {
        int[] array = g.linkArray(node, layer);
        int base = g.linkBase(node, layer);
        return Arrays.copyOfRange(array, base + 1, base + 1 + array[base]);
    }
}
