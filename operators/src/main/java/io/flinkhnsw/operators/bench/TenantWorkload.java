package io.flinkhnsw.operators.bench;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.operators.IndexEvent;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The event stream of {@link TenantBench}: {@code keys} keys whose sizes follow the given
 * distribution and add up to {@code vectors}; each key's upserts (ids v0, v1, ...) with its queries
 * at random places among them (a live tenant writes and reads all along), all keys interleaved in a
 * seeded random order that keeps each key's own events in order. Queries go to keys in proportion
 * to their size. Every event's vector, upsert or query, is the next vector of one seeded
 * {@link ClusteredDataset}, so the stream is regenerated (for the exact check) rather than held in
 * memory: only the key of each event, and the key, vector and preceding upserts of each query,
 * are kept.
 */
final class TenantWorkload {
    static final int CLUSTERS = 64;
    static final float SPREAD = 0.15f;
    static final int K = 10;

    final int dim;
    final long seed;
    final int[] sizes;
    private final String[] names;
    private final int[] queriesPerKey;
    /** Key of each event, in stream order. */
    final int[] plan;
    /** Per query, in stream order: its key, its vector, and how many of the key's upserts preceded it. */
    final int[] queryKeys;
    final float[][] queryVectors;
    final int[] queryPrefix;

    TenantWorkload(int keys, int vectors, int dim, KeySizes distribution, int queries, long seed) {
        this.dim = dim;
        this.seed = seed;
        this.sizes = distribution.sizes(keys, vectors);
        this.names = new String[keys];
        for (int k = 0; k < keys; k++) {
            names[k] = keyName(k);
        }
        SplittableRandom random = new SplittableRandom(seed);
        this.queriesPerKey = assignQueries(sizes, queries, random);
        this.plan = interleave(sizes, queriesPerKey, random);
        this.queryKeys = new int[queries];
        this.queryVectors = new float[queries][];
        this.queryPrefix = new int[queries];
        int[] q = {0};
        forEachEvent((key, upserts, query, vector) -> {
            if (query) {
                queryKeys[q[0]] = key;
                queryPrefix[q[0]] = upserts;
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
        /** {@code upserts}: the key's upserts before this event; {@code query}: a query, else an upsert. */
        void event(int key, int upserts, boolean query, float[] vector);
    }

    /**
     * Regenerates the stream. Whether a key's next event is a query is drawn from a random of its
     * own (queries left over events left), so each key's queries fall uniformly among its events,
     * the same way every time.
     */
    void forEachEvent(EventVisitor visitor) {
        ClusteredDataset vectors = new ClusteredDataset(dim, CLUSTERS, SPREAD, seed);
        int[] upserted = new int[sizes.length];
        int[] queried = new int[sizes.length];
        SplittableRandom[] order = new SplittableRandom[sizes.length];
        for (int key : plan) {
            if (order[key] == null) {
                order[key] = new SplittableRandom(seed * 31 + key);
            }
            int queriesLeft = queriesPerKey[key] - queried[key];
            int eventsLeft = sizes[key] - upserted[key] + queriesLeft;
            boolean query = order[key].nextInt(eventsLeft) < queriesLeft;
            visitor.event(key, upserted[key], query, vectors.next(1)[0]);
            if (query) {
                queried[key]++;
            } else {
                upserted[key]++;
            }
        }
    }

    /** The load phase as index events: upserts v0.. per key, queries "q-n" in stream order, at {@code ef}. */
    void loadEvents(int ef, Consumer<IndexEvent> out) {
        int[] query = {0};
        forEachEvent((key, upserts, isQuery, vector) -> out.accept(isQuery
                ? IndexEvent.query(names[key], "q-" + query[0]++, vector, K, ef)
                : IndexEvent.upsert(names[key], "v" + upserts, vector, null)));
    }

    /**
     * The query phase, {@code total} queries at {@code ef} on the complete keys: the load phase's
     * queries again, in the same order, as "r-n"; then new vectors of the stream's distribution
     * ({@link ClusteredDataset#fork}) as "x-n", to the keys of the load phase's queries in turn. Every
     * query of the phase is a new vector: repeating a few thousand would keep their parts of the
     * graphs in the CPU's cache and time the cache.
     */
    void queryEvents(int ef, int total, Consumer<IndexEvent> out) {
        int repeated = Math.min(total, queryKeys.length);
        // drawn before the first event is sent, so the phase does not wait for them
        float[][] fresh = new ClusteredDataset(dim, CLUSTERS, SPREAD, seed).fork().next(total - repeated);
        for (int i = 0; i < repeated; i++) {
            out.accept(IndexEvent.query(names[queryKeys[i]], "r-" + i, queryVectors[i], K, ef));
        }
        spreadOverQueryKeys(fresh, "x-", ef, out);
    }

    /**
     * {@code total} queries of new vectors (ids {@code w-}), spread over the keys like the query
     * phase's and drawn apart from them: they run the query-only paths before the phase is timed.
     */
    void warmUpEvents(int ef, int total, Consumer<IndexEvent> out) {
        ClusteredDataset stream = new ClusteredDataset(dim, CLUSTERS, SPREAD, seed);
        stream.fork(); // the query phase's new vectors
        spreadOverQueryKeys(stream.fork().next(total), "w-", ef, out);
    }

    /** A query per vector (ids {@code prefix} + n), to the keys of the load phase's queries in turn. */
    private void spreadOverQueryKeys(float[][] vectors, String prefix, int ef, Consumer<IndexEvent> out) {
        for (int i = 0; i < vectors.length; i++) {
            out.accept(IndexEvent.query(names[queryKeys[i % queryKeys.length]], prefix + i, vectors[i], K, ef));
        }
    }

    /** {@code count} vectors from the stream's distribution beyond its end: standing queries' vectors. */
    float[][] subscriptionVectors(int count) {
        ClusteredDataset vectors = new ClusteredDataset(dim, CLUSTERS, SPREAD, seed);
        for (int left = plan.length; left > 0; left -= Math.min(left, 4096)) {
            vectors.next(Math.min(left, 4096));
        }
        return vectors.next(count);
    }

    /** Each key's vectors for the keys {@code wanted} selects (others null), regenerated from the stream. */
    float[][][] vectorsOf(boolean[] wanted) {
        float[][][] out = new float[sizes.length][][];
        for (int key = 0; key < sizes.length; key++) {
            if (wanted[key]) {
                out[key] = new float[sizes[key]][];
            }
        }
        forEachEvent((key, upserts, query, vector) -> {
            if (!query && wanted[key]) {
                out[key][upserts] = vector;
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
