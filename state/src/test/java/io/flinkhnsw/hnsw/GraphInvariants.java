package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Structural checks of an {@link HnswGraph} that must hold after any sequence of operations. */
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
        int topLevel = -1;
        for (int node = 0; node < g.highWater; node++) {
            if (g.levels[node] == HnswGraph.FREE) {
                continue;
            }
            if (g.tombstone[node]) {
                tombstones++;
            } else {
                live++;
                assertThat(index.contains(g.ids[node])).as("id of live node %d is indexed", node).isTrue();
            }
            topLevel = Math.max(topLevel, g.levels[node]);
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
                    assertThat(g.levels[target]).as("link %d->%d on layer %d points to a node on that layer",
                            node, target, layer).isGreaterThanOrEqualTo(layer);
                    assertThat(seen.add(target)).as("duplicate link %d->%d", node, target).isTrue();
                }
            }
        }
        int[] inDegree = new int[g.highWater];
        for (int node = 0; node < g.highWater; node++) {
            if (g.levels[node] != HnswGraph.FREE) {
                for (int i = 1, count = g.layer0[node * g.stride0]; i <= count; i++) {
                    inDegree[g.layer0[node * g.stride0 + i]]++;
                }
            }
        }
        assertThat(Arrays.copyOf(g.inDegree0, g.highWater)).as("tracked layer-0 in-degrees").isEqualTo(inDegree);
        assertThat(live).isEqualTo(index.size()).isEqualTo(g.liveCount);
        assertThat(tombstones).isEqualTo(g.tombstoneCount);
        if (live + tombstones == 0) {
            assertThat(g.entryPoint).isEqualTo(GraphHeader.NO_ENTRY);
        } else {
            assertThat(g.entryPoint).isBetween(0, g.highWater - 1);
            assertThat(g.levels[g.entryPoint]).as("entry point is a node").isNotEqualTo(HnswGraph.FREE);
            assertThat(g.levels[g.entryPoint]).as("entry point on the top layer").isEqualTo(g.maxLevel)
                    .isEqualTo(topLevel);
        }
    }

    /** Every array of the two graphs, compared slot by slot. */
    static void assertSameGraph(HnswIndex a, HnswIndex b) {
        HnswGraph x = a.graph();
        HnswGraph y = b.graph();
        assertThat(a.header()).isEqualTo(b.header());
        for (int node = 0; node < x.highWater; node++) {
            assertThat(y.levels[node]).as("level of %d", node).isEqualTo(x.levels[node]);
            if (x.levels[node] == HnswGraph.FREE) {
                continue;
            }
            assertThat(y.ids[node]).isEqualTo(x.ids[node]);
            assertThat(y.tombstone[node]).isEqualTo(x.tombstone[node]);
            assertThat(Arrays.copyOfRange(y.vectors, node * y.dim, (node + 1) * y.dim))
                    .isEqualTo(Arrays.copyOfRange(x.vectors, node * x.dim, (node + 1) * x.dim));
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
