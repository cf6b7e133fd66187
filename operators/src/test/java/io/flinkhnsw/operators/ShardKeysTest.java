package io.flinkhnsw.operators;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shard placement and the id hash: the shards of a key land on distinct subtasks at every
 * parallelism from N to the max parallelism when maxP >= N(N+1), computed with Flink's own key-group
 * assignment of the sub-keys; the id hash is pinned, since a change would move ids between the
 * shards of existing keys.
 */
class ShardKeysTest {
    @Test
    void shardsOfAKeyLandOnDistinctSubtasksAtEveryParallelismFromN() {
        for (int maxP : new int[] {128, 4096}) {
            for (int n = 2; n * (n + 1) <= maxP && n <= 16; n++) {
                for (String key : new String[] {"big", "shop-17", "tenant-äöü", ""}) {
                    ShardKeys keys = new ShardKeys(maxP);
                    String[] sub = keys.of(key, n);
                    for (int p = n; p <= Math.min(maxP, 512); p++) {
                        Set<Integer> subtasks = new HashSet<>();
                        for (String s : sub) {
                            int group = KeyGroupRangeAssignment.assignToKeyGroup(s, maxP);
                            subtasks.add(KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(maxP, p, group));
                        }
                        assertThat(subtasks).as("key '%s', %d shards, maxP %d, P %d", key, n, maxP, p).hasSize(n);
                    }
                }
            }
        }
    }

    @Test
    void shardsOfDifferentKeysUseDifferentGroups() {
        ShardKeys keys = new ShardKeys(128);
        Set<Integer> firstShardGroups = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            firstShardGroups.add(KeyGroupRangeAssignment.assignToKeyGroup(keys.of("key-" + i, 2)[0], 128));
        }
        assertThat(firstShardGroups).hasSizeGreaterThan(30);
    }

    @Test
    void subKeysNameTheirKeyAndShard() {
        String[] sub = new ShardKeys(128).of("a#b", 4);
        for (int s = 0; s < 4; s++) {
            assertThat(ShardKeys.keyOf(sub[s])).isEqualTo("a#b");
            assertThat(ShardKeys.shardNumberOf(sub[s])).isEqualTo(s);
        }
        assertThat(new ShardKeys(128).of("a#b", 4)).as("deterministic").isEqualTo(sub);
    }

    @Test
    void theIdHashIsPinned() {
        assertThat(ShardKeys.shardOf("item-42", 8)).isEqualTo(PINNED_ITEM_42_OF_8);
        assertThat(ShardKeys.shardOf("", 3)).isEqualTo(PINNED_EMPTY_OF_3);
        int[] counts = new int[4];
        for (int i = 0; i < 4000; i++) {
            counts[ShardKeys.shardOf("id-" + i, 4)]++;
        }
        assertThat(java.util.Arrays.stream(counts).boxed()).allSatisfy(c -> assertThat(c).isBetween(900, 1100));
    }

    private static final int PINNED_ITEM_42_OF_8 = 2;
    private static final int PINNED_EMPTY_OF_3 = 1;
}
