package io.flinkhnsw.operators;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.util.MathUtils;

import java.util.HashMap;
import java.util.Map;

/**
 * Names and places the shards of a sharded key. Shard {@code s} of key {@code k} is the index keyed
 * by the sub-key {@code k#s.salt}; the salt is the smallest that puts the sub-key into the key group
 * {@link #targetGroup}, chosen so that with max parallelism {@code maxP >= N(N+1)} the N shards land
 * on N different subtasks at every parallelism from N to maxP (docs/ARCHITECTURE.md, "Sharded
 * keys"). Everything depends only on the key, N and maxP, which are fixed for the life of a job's
 * state, so a restore or rescale finds every shard where it was. An id's shard is
 * {@link #shardOf(String, int)}: a stable hash of the id, the same in every JVM. Sub-keys are cached
 * per key (sharded keys are few).
 */
public final class ShardKeys {
    static final char SEPARATOR = '#';
    /** Salts tried before giving up; a sub-key hits a given group with probability 1/maxP per salt. */
    private static final int MAX_SALT_TRIES_PER_GROUP = 1000;

    private final int maxParallelism;
    private final Map<String, String[]> cache = new HashMap<>();

    ShardKeys(int maxParallelism) {
        this.maxParallelism = maxParallelism;
    }

    /** The sub-keys of {@code key}'s {@code shards} shards, shard 0 first. */
    String[] of(String key, int shards) {
        String[] keys = cache.get(key);
        if (keys == null || keys.length != shards) {
            keys = new String[shards];
            for (int s = 0; s < shards; s++) {
                keys[s] = subKey(key, s, shards, maxParallelism);
            }
            cache.put(key, keys);
        }
        return keys;
    }

    /** The sub-key of shard {@code shard}: the first salt whose key group is the shard's target group. */
    static String subKey(String key, int shard, int shards, int maxParallelism) {
        int target = targetGroup(key, shard, shards, maxParallelism);
        String stem = key + SEPARATOR + shard + '.';
        for (int salt = 0; salt < MAX_SALT_TRIES_PER_GROUP * maxParallelism; salt++) {
            String candidate = stem + salt;
            if (KeyGroupRangeAssignment.assignToKeyGroup(candidate, maxParallelism) == target) {
                return candidate;
            }
        }
        throw new IllegalStateException("no sub-key of " + key + " in key group " + target);
    }

    /**
     * The key group of shard {@code shard}: {@code floor(s * maxP / N) + o}, the same offset o in
     * 1..floor(maxP/N)-1 for every shard of a key (from the key's hash, so the shards of different
     * keys spread over the groups). Groups spaced maxP/N apart with an offset of at least 1 fall into
     * different subtasks for every parallelism P in N..maxP when maxP >= N(N+1) (checked
     * exhaustively by ShardKeysTest); with fewer groups per shard the offset is 0 and the spread is
     * best effort.
     */
    static int targetGroup(String key, int shard, int shards, int maxParallelism) {
        int width = maxParallelism / shards;
        int offset = width >= 2 ? 1 + Math.floorMod(key.hashCode(), width - 1) : 0;
        return (int) ((long) shard * maxParallelism / shards) + offset;
    }

    /** The shard of {@code id} among {@code shards}: a stable hash (String.hashCode is specified, then murmur). */
    static int shardOf(String id, int shards) {
        return Math.floorMod(MathUtils.murmurHash(id.hashCode()), shards);
    }

    /** The key a sub-key belongs to. */
    public static String keyOf(String subKey) {
        return subKey.substring(0, subKey.lastIndexOf(SEPARATOR));
    }

    /** The shard number of a sub-key. */
    static int shardNumberOf(String subKey) {
        int from = subKey.lastIndexOf(SEPARATOR) + 1;
        return Integer.parseInt(subKey, from, subKey.indexOf('.', from), 10);
    }
}
