package io.flinkhnsw.operators;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic event streams for tests: keys interleaved at random, upserts of new and existing ids,
 * deletes of live and unknown ids, and queries with various k and ef, all from one seed.
 */
final class RandomEvents {
    private RandomEvents() {
    }

    /** About {@code perKey} upserts per key, a delete per ~8 events, a query per ~5 events. */
    static List<IndexEvent> mixed(int keys, int perKey, int dim, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<IndexEvent> out = new ArrayList<>();
        int total = keys * perKey;
        int queries = 0;
        for (int i = 0; i < total; i++) {
            String key = "key-" + rnd.nextInt(keys);
            int roll = rnd.nextInt(40);
            if (roll < 5) {
                out.add(IndexEvent.delete(key, "id-" + rnd.nextInt(perKey + 10)));
            } else if (roll < 13) {
                int k = 1 + rnd.nextInt(12);
                out.add(IndexEvent.query(key, "q-" + queries++, vector(rnd, dim), k,
                        rnd.nextBoolean() ? 0 : Math.max(k, 8 + rnd.nextInt(40))));
            } else {
                String payload = rnd.nextBoolean() ? "{\"i\":" + i + "}" : null;
                out.add(IndexEvent.upsert(key, "id-" + rnd.nextInt(perKey), vector(rnd, dim), payload));
            }
        }
        return out;
    }

    /** Queries only, {@code count} per key. */
    static List<IndexEvent> queries(int keys, int count, int dim, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<IndexEvent> out = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            for (int i = 0; i < count; i++) {
                out.add(IndexEvent.query("key-" + k, "probe-" + k + "-" + i, vector(rnd, dim), 10, 0));
            }
        }
        return out;
    }

    /** {@code perKey} subscriptions per key ("sub-KEY-i"), by vector with various k, one in three with ef 64. */
    static List<IndexEvent> subscriptions(int keys, int perKey, int dim, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<IndexEvent> out = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            for (int i = 0; i < perKey; i++) {
                out.add(IndexEvent.subscribe("key-" + k, "sub-" + k + "-" + i, null, vector(rnd, dim),
                        1 + rnd.nextInt(10), rnd.nextInt(3) == 0 ? 64 : 0));
            }
        }
        return out;
    }

    static float[] vector(SplittableRandom rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        return v;
    }

    /** The given event lists one after another. */
    @SafeVarargs
    static List<IndexEvent> concat(List<IndexEvent>... parts) {
        List<IndexEvent> all = new ArrayList<>();
        for (List<IndexEvent> p : parts) {
            all.addAll(p);
        }
        return all;
    }
}
