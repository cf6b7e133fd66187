package io.flinkhnsw.operators.bench;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.operators.IndexEvent;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The event stream of {@link TenantBench}: {@code keys} keys whose sizes follow the given
 * distribution and add up to {@code vectors}, each key's upserts (ids v0, v1, ...) followed by its
 * queries, all keys interleaved in a seeded random order that keeps each key's own events in order.
 * Queries go to keys in proportion to their size. Every event's vector, upsert or query, is the next
 * vector of one seeded {@link ClusteredDataset}, so the stream is regenerated (for the exact check)
 * rather than held in memory: only the key of each event and the query vectors are kept.
 */
final class TenantWorkload {
    static final int CLUSTERS = 64;
    static final float SPREAD = 0.15f;
    static final int K = 10;

    final int dim;
    final long seed;
    final int[] sizes;
    /** Key of each event, in stream order. */
    final int[] plan;
    /** Key and vector of each query, in stream order. */
    final int[] queryKeys;
    final float[][] queryVectors;

    TenantWorkload(int keys, int vectors, int dim, KeySizes distribution, int queries, long seed) {
        this.dim = dim;
        this.seed = seed;
        this.sizes = distribution.sizes(keys, vectors);
        SplittableRandom random = new SplittableRandom(seed);
        int[] queriesPerKey = assignQueries(sizes, queries, random);
        this.plan = interleave(sizes, queriesPerKey, random);
        this.queryKeys = new int[queries];
        this.queryVectors = new float[queries][];
        int[] q = {0};
        forEachEvent((key, upsert, vector) -> {
            if (!upsert) {
                queryKeys[q[0]] = key;
                queryVectors[q[0]++] = vector;
            }
        });
    }

    static String keyName(int key) {
        return String.format("tenant-%05d", key);
    }

    int keys() {
        return sizes.length;
    }

    int vectors() {
        return plan.length - queryKeys.length;
    }

    /** Receives the stream's events in order. */
    interface EventVisitor {
        void event(int key, boolean upsert, float[] vector);
    }

    /** Regenerates the stream: per event, its key, whether it is an upsert, and its vector. */
    void forEachEvent(EventVisitor visitor) {
        ClusteredDataset vectors = new ClusteredDataset(dim, CLUSTERS, SPREAD, seed);
        int[] upserted = new int[sizes.length];
        for (int key : plan) {
            boolean upsert = upserted[key] < sizes[key];
            if (upsert) {
                upserted[key]++;
            }
            visitor.event(key, upsert, vectors.next(1)[0]);
        }
    }

    /** The load phase as index events: upserts v0.. per key, queries "q-n" in stream order, at {@code ef}. */
    void loadEvents(int ef, Consumer<IndexEvent> out) {
        int[] upserted = new int[sizes.length];
        int[] query = {0};
        forEachEvent((key, upsert, vector) -> out.accept(upsert
                ? IndexEvent.upsert(keyName(key), "v" + upserted[key]++, vector, null)
                : IndexEvent.query(keyName(key), "q-" + query[0]++, vector, K, ef)));
    }

    /** The query phase: the load phase's queries again, in the same order, as "r-n". */
    void queryEvents(int ef, Consumer<IndexEvent> out) {
        for (int i = 0; i < queryKeys.length; i++) {
            out.accept(IndexEvent.query(keyName(queryKeys[i]), "r-" + i, queryVectors[i], K, ef));
        }
    }

    /** Each key's vectors for the keys {@code wanted} selects (others null), regenerated from the stream. */
    float[][][] vectorsOf(boolean[] wanted) {
        float[][][] out = new float[sizes.length][][];
        int[] filled = new int[sizes.length];
        for (int key = 0; key < sizes.length; key++) {
            if (wanted[key]) {
                out[key] = new float[sizes[key]][];
            }
        }
        forEachEvent((key, upsert, vector) -> {
            if (upsert && wanted[key]) {
                out[key][filled[key]++] = vector;
            }
        });
        return out;
    }

    /** Queries per key, each drawn in proportion to key size (a uniformly drawn vector's key). */
    private static int[] assignQueries(int[] sizes, int queries, SplittableRandom random) {
        long[] cumulative = new long[sizes.length];
        long total = 0;
        for (int k = 0; k < sizes.length; k++) {
            total += sizes[k];
            cumulative[k] = total;
        }
        int[] perKey = new int[sizes.length];
        for (int q = 0; q < queries; q++) {
            long position = random.nextLong(total);
            int key = Arrays.binarySearch(cumulative, position + 1);
            perKey[key < 0 ? -key - 1 : key]++;
        }
        return perKey;
    }

    /** A seeded random merge of the keys' event sequences: each next event is a key's, drawn by its events left. */
    private static int[] interleave(int[] sizes, int[] queriesPerKey, SplittableRandom random) {
        int keys = sizes.length;
        long[] tree = new long[keys + 1]; // Fenwick tree over events left per key
        long left = 0;
        for (int k = 0; k < keys; k++) {
            long n = (long) sizes[k] + queriesPerKey[k];
            left += n;
            for (int i = k + 1; i <= keys; i += i & -i) {
                tree[i] += n;
            }
        }
        if (left > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--vectors plus --queries must stay below 2^31");
        }
        int[] plan = new int[(int) left];
        int highBit = Integer.highestOneBit(keys);
        for (int e = 0; e < plan.length; e++) {
            long target = random.nextLong(left);
            int pos = 0;
            for (int step = highBit; step > 0; step >>= 1) {
                int next = pos + step;
                if (next <= keys && tree[next] <= target) {
                    pos = next;
                    target -= tree[next];
                }
            }
            plan[e] = pos; // the key whose range holds the drawn event
            for (int i = pos + 1; i <= keys; i += i & -i) {
                tree[i]--;
            }
            left--;
        }
        return plan;
    }
}
