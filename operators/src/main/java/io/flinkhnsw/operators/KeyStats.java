package io.flinkhnsw.operators;

import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import java.util.ArrayList;
import java.util.List;

/**
 * One subtask's counts over all of its keys, in memory or not: keys, flat keys, graph keys, live
 * vectors and tombstones. Kept per key group, so the counts follow the keys when a job is rescaled:
 * checkpointed as union list state, of which each subtask takes the rows of its own key groups on
 * restore. Updated in O(1) per change, read by the gauges through volatile totals. Keys stored by
 * a release without these counts are counted from their first event after the upgrade.
 */
final class KeyStats {
    static final String STATE = "hnsw-key-stats";
    private static final int KEYS = 0;
    private static final int FLAT = 1;
    private static final int GRAPH = 2;
    private static final int LIVE = 3;
    private static final int DEAD = 4;

    private final int maxParallelism;
    private final KeyGroupRange range;
    /** Per key group of this subtask: the five counts. */
    private final long[][] groups;
    private volatile long keys;
    private volatile long flatKeys;
    private volatile long graphKeys;
    private volatile long liveVectors;
    private volatile long tombstones;

    KeyStats(int maxParallelism, int parallelism, int subtask) {
        this.maxParallelism = maxParallelism;
        this.range = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, subtask);
        this.groups = new long[range.getNumberOfKeyGroups()][5];
    }

    /** Adds a key's counts (+1) or takes them away (-1): its existence, its tier, its vectors. */
    void count(String key, int sign, boolean graph, long live, long dead) {
        add(key, sign, graph ? 0 : sign, graph ? sign : 0, sign * live, sign * dead);
    }

    /** A key moved from flat to graph. */
    void becameGraph(String key) {
        add(key, 0, -1, 1, 0, 0);
    }

    void vectorsChanged(String key, long live, long dead) {
        if (live != 0 || dead != 0) {
            add(key, 0, 0, 0, live, dead);
        }
    }

    private void add(String key, long k, long flat, long graph, long live, long dead) {
        long[] row = groups[KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism) - range.getStartKeyGroup()];
        row[KEYS] += k;
        row[FLAT] += flat;
        row[GRAPH] += graph;
        row[LIVE] += live;
        row[DEAD] += dead;
        keys += k;
        flatKeys += flat;
        graphKeys += graph;
        liveVectors += live;
        tombstones += dead;
    }

    /** Rows (key group, five counts) of this subtask's key groups that count anything. */
    List<long[]> snapshot() {
        List<long[]> rows = new ArrayList<>();
        for (int i = 0; i < groups.length; i++) {
            long[] g = groups[i];
            if (g[KEYS] != 0 || g[LIVE] != 0 || g[DEAD] != 0) {
                rows.add(new long[] {range.getStartKeyGroup() + i, g[KEYS], g[FLAT], g[GRAPH], g[LIVE], g[DEAD]});
            }
        }
        return rows;
    }

    /** Takes the rows of this subtask's key groups from the union of all subtasks' rows. */
    void restore(Iterable<long[]> rows) {
        for (long[] r : rows) {
            int group = (int) r[0];
            if (range.contains(group)) {
                long[] g = groups[group - range.getStartKeyGroup()];
                for (int i = 0; i < 5; i++) {
                    g[i] += r[i + 1];
                }
                keys += r[1 + KEYS];
                flatKeys += r[1 + FLAT];
                graphKeys += r[1 + GRAPH];
                liveVectors += r[1 + LIVE];
                tombstones += r[1 + DEAD];
            }
        }
    }

    long keys() {
        return keys;
    }

    long flatKeys() {
        return flatKeys;
    }

    long graphKeys() {
        return graphKeys;
    }

    long liveVectors() {
        return liveVectors;
    }

    long tombstones() {
        return tombstones;
    }
}
