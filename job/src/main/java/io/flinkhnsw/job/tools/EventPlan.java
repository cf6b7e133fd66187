package io.flinkhnsw.job.tools;

import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.codec.VectorEncoding;
import io.flinkhnsw.operators.IndexEvent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic stream of input records over several keys: every base vector upserted (row i to
 * key {@code shop-(i % keys)}, id {@code v<i>}), a query every {@code queryEvery} upserts (so
 * answers depend on how much of the stream came before them), then deletes of the first rows, then
 * final queries on every key, with three bad events (malformed JSON, NaN, wrong dimension for an
 * existing index) in between; then, per key, the other query forms on its last row: a query by id,
 * a like/unlike query with a vote, a payload-only update and a get of it; and one query by a deleted
 * id (answered with an error) and one refused query (k 0: a dead letter answered with its error).
 * Replaying the same plan must give the same answers. Vectors are
 * written as the given {@link VectorEncoding}.
 *
 * <p>{@link #soak} is the chaos test's stream instead: seeded random churn over many small keys and
 * a few keys grown past the flat limit (so they hold graphs, and their many deletes keep graph
 * repair busy), mixing new upserts, upserts replacing a live id's vector, payload-only updates,
 * deletes, queries by vector and by id, gets and the bad events above; it ends with a query on
 * every key, so a key's last answer says all its events were applied. The same seed gives the same
 * plan.
 */
public final class EventPlan {
    /** One record: its key and value bytes and what kind of event it is. */
    public static final class Item {
        public final byte[] key;
        public final byte[] value;
        public final boolean query;
        public final boolean bad;

        Item(String key, byte[] value, boolean query, boolean bad) {
            this.key = key.getBytes(StandardCharsets.UTF_8);
            this.value = value;
            this.query = query;
            this.bad = bad;
        }
    }

    public final List<Item> items = new ArrayList<>();
    private final VectorEncoding encoding;
    public int upserts;
    public int deletes;
    public int queries;
    public int bad;
    public int subscriptions;
    public int replaces;

    public static EventPlan of(float[][] base, float[][] queryVectors, int keys, int queryEvery, int deletes,
                               int finalQueriesPerKey, int k, VectorEncoding encoding) {
        return of(base, queryVectors, keys, queryEvery, deletes, finalQueriesPerKey, k, 0, encoding);
    }

    /**
     * As above, with standing queries: {@code subscriptionsPerKey} by vector per key ({@code sub-KEY-J},
     * made before the key's first upsert), one per key following its first row ({@code follow-KEY},
     * ended by the row's delete), the first of each key unsubscribed at the end, and an unsubscribe
     * of an unknown subscription (a dead letter).
     */
    public static EventPlan of(float[][] base, float[][] queryVectors, int keys, int queryEvery, int deletes,
                               int finalQueriesPerKey, int k, int subscriptionsPerKey, VectorEncoding encoding) {
        EventPlan p = new EventPlan(encoding);
        int dim = base[0].length;
        int qi = 0;
        for (int key = 0; key < keys && subscriptionsPerKey > 0; key++) {
            for (int j = 0; j < subscriptionsPerKey; j++) {
                p.add(IndexEvent.subscribe(key(key), "sub-" + key + "-" + j, null,
                        queryVectors[(key * subscriptionsPerKey + j) % queryVectors.length], k / 2 + 1, 0), false);
                p.subscriptions++;
            }
        }
        for (int i = 0; i < base.length; i++) {
            p.add(IndexEvent.upsert(key(i % keys), "v" + i, base[i], "{\"row\":" + i + "}"), false);
            p.upserts++;
            if (subscriptionsPerKey > 0 && i < keys) {
                p.add(IndexEvent.subscribe(key(i), "follow-" + i, "v" + i, null, k, 0), false);
                p.subscriptions++;
            }
            if (queryEvery > 0 && (i + 1) % queryEvery == 0) {
                p.add(IndexEvent.query(key((i / queryEvery) % keys), "q-" + qi,
                        queryVectors[qi % queryVectors.length], k, 0), true);
                qi++;
            }
            if (i == base.length / 4) {
                p.addBad(key(0), "{\"op\":\"upsert\",\"key\":\"" + key(0) + "\",\"id\":\"broken\",\"vector\":[1,");
            } else if (i == base.length / 2) {
                p.addBad(key(1 % keys), "{\"op\":\"upsert\",\"key\":\"" + key(1 % keys) + "\",\"id\":\"nan\",\"vector\":[NaN"
                        + ",0".repeat(dim - 1) + "]}");
            } else if (i == 3 * base.length / 4) {
                p.items.add(new Item(key(0), EventCodec.encode(IndexEvent.upsert(key(0), "wrong-dimension",
                        new float[dim + 1], null), encoding), false, true));
                p.bad++;
            }
        }
        for (int i = 0; i < Math.min(deletes, base.length); i++) {
            p.add(IndexEvent.delete(key(i % keys), "v" + i), false);
            p.deletes++;
        }
        for (int key = 0; key < keys; key++) {
            for (int j = 0; j < finalQueriesPerKey; j++) {
                p.add(IndexEvent.query(key(key), "final-" + key + "-" + j,
                        queryVectors[(key * finalQueriesPerKey + j) % queryVectors.length], k, 0), true);
                qi++;
            }
        }
        qi += p.addQueryForms(base.length, keys, deletes, k);
        if (subscriptionsPerKey > 0) {
            for (int key = 0; key < keys; key++) {
                p.add(IndexEvent.unsubscribe(key(key), "sub-" + key + "-0"), false);
            }
            p.items.add(new Item(key(0), EventCodec.encode(IndexEvent.unsubscribe(key(0), "nope"), encoding), false, true));
            p.bad++;
        }
        p.queries = qi;
        return p;
    }

    /** The query forms beyond a vector query; returns how many answers they ask for. */
    private int addQueryForms(int rows, int keys, int deletes, int k) {
        int answers = 0;
        for (int j = 0; j < keys && rows - 1 - j - 2 * keys >= deletes; j++) {
            int row = rows - 1 - j;
            String key = key(row % keys);
            add(IndexEvent.queryById(key, "by-id-" + j, "v" + row, k, 0), true);
            add(IndexEvent.queryByExamples(key, "like-" + j, new String[] {"v" + row, "v" + (row - keys)},
                    new String[] {"v" + (row - 2 * keys)}, k, 0).withVote("row"), true);
            add(IndexEvent.upsert(key, "v" + row, null, "{\"row\":" + row + ",\"updated\":true}"), false);
            add(IndexEvent.get(key, "get-" + j, "v" + row), true);
            answers += 3;
        }
        if (deletes > 0) {
            add(IndexEvent.queryById(key(0), "deleted-id", "v0", k, 0), true);
            answers++;
        }
        addBad(key(0), "{\"op\":\"query\",\"key\":\"" + key(0) + "\",\"queryId\":\"refused\",\"id\":\"v1\",\"k\":0}");
        return answers + 1;
    }

    /**
     * {@code events} records (plus the closing query per key) over {@code smallKeys} keys
     * {@code shop-i}, {@code bigKeys} keys {@code big-j} and {@code shardedKeys} keys {@code sharded-j};
     * each big key is first filled to a little past {@link KeyIndex#defaultFlatLimit}, each sharded key
     * to {@code shards} times that (so that each of its shards becomes a graph when the job runs it in
     * {@code shards} shards), interleaved with churn on the others.
     */
    public static EventPlan soak(float[][] base, float[][] queryVectors, int smallKeys, int bigKeys, int shardedKeys,
                                 int shards, int events, long seed, int k, VectorEncoding encoding) {
        int graphKeys = bigKeys + shardedKeys;
        if (smallKeys + graphKeys < 1) throw new IllegalArgumentException("a soak needs at least one key");
        if (shards < 1) throw new IllegalArgumentException("shards must be at least 1, got " + shards);
        EventPlan p = new EventPlan(encoding);
        SplittableRandom random = new SplittableRandom(seed);
        int dim = base[0].length;
        int fill = KeyIndex.defaultFlatLimit(dim) + 400;
        List<SoakKey> keys = new ArrayList<>();
        for (int j = 0; j < bigKeys; j++) keys.add(new SoakKey("big-" + j, fill));
        for (int j = 0; j < shardedKeys; j++) keys.add(new SoakKey("sharded-" + j, shards * fill));
        for (int i = 0; i < smallKeys; i++) keys.add(new SoakKey(key(i), 0));
        int queries = 0;
        while (p.items.size() < events) {
            SoakKey filling = graphKeys > 0 ? keys.get(random.nextInt(graphKeys)) : null;
            if (filling != null && filling.live.size() < filling.fill && random.nextInt(4) != 0) {
                p.soakUpsert(filling, filling.newId(), base[random.nextInt(base.length)]);
                continue;
            }
            // Half the churn on the graph keys (deletes there are repaired), half on the small ones.
            SoakKey key = graphKeys > 0 && (smallKeys == 0 || random.nextBoolean())
                    ? keys.get(random.nextInt(graphKeys)) : keys.get(graphKeys + random.nextInt(smallKeys));
            String queryId = "q-" + queries;
            int roll = random.nextInt(100);
            if (key.live.isEmpty() || roll < 35 || (roll == 99 && key.fill == 0)) {
                p.soakUpsert(key, key.newId(), base[random.nextInt(base.length)]);
            } else if (roll < 50) {
                p.soakUpsert(key, key.randomLive(random), base[random.nextInt(base.length)]);
                p.replaces++;
            } else if (roll < 65 || roll == 99) {
                // On a graph key, one roll in a hundred deletes a burst, which leaves repair pending for a while.
                int n = roll == 99 ? Math.min(key.live.size() / 4, 10 + random.nextInt(21)) : 1;
                for (int i = 0; i < n; i++) {
                    p.add(IndexEvent.delete(key.name, key.removeRandomLive(random)), false);
                    p.deletes++;
                }
            } else if (roll < 80) {
                p.add(IndexEvent.query(key.name, queryId, queryVectors[random.nextInt(queryVectors.length)], k, 0), true);
                queries++;
            } else if (roll < 84) {
                p.add(IndexEvent.queryById(key.name, queryId, key.randomLive(random), k, 0), true);
                queries++;
            } else if (roll < 87) {
                p.add(IndexEvent.get(key.name, queryId, key.randomLive(random)), true);
                queries++;
            } else if (roll < 95) {
                p.add(IndexEvent.upsert(key.name, key.randomLive(random), null,
                        "{\"row\":" + random.nextInt(base.length) + ",\"updated\":true}"), false);
            } else if (roll == 95) {
                p.addBad(key.name, "{\"op\":\"upsert\",\"key\":\"" + key.name + "\",\"id\":\"broken\",\"vector\":[1,");
            } else if (roll == 96) {
                p.addBad(key.name, "{\"op\":\"upsert\",\"key\":\"" + key.name + "\",\"id\":\"nan\",\"vector\":[NaN"
                        + ",0".repeat(dim - 1) + "]}");
            } else if (roll == 97) {
                // The key holds vectors (checked above), so the operator refuses the other dimension.
                p.items.add(new Item(key.name, EventCodec.encode(IndexEvent.upsert(key.name, "wrong-dimension",
                        new float[dim + 1], null), encoding), false, true));
                p.bad++;
            } else {
                p.addBad(key.name, "{\"op\":\"query\",\"key\":\"" + key.name + "\",\"queryId\":\"" + queryId
                        + "\",\"id\":\"" + key.randomLive(random) + "\",\"k\":0}");
                queries++;
            }
        }
        for (SoakKey key : keys) {
            p.add(IndexEvent.query(key.name, "final-" + key.name, queryVectors[random.nextInt(queryVectors.length)], k, 0),
                    true);
            queries++;
        }
        p.queries = queries;
        return p;
    }

    private void soakUpsert(SoakKey key, String id, float[] vector) {
        add(IndexEvent.upsert(key.name, id, vector, "{\"row\":" + upserts + "}"), false);
        upserts++;
    }

    /** A soak key's live ids, so deletes, replacements and id queries name ids the key holds. */
    private static final class SoakKey {
        final String name;
        /** Live ids the stream grows the key to before churning it (0: a small key). */
        final int fill;
        final List<String> live = new ArrayList<>();
        int nextId;

        SoakKey(String name, int fill) {
            this.name = name;
            this.fill = fill;
        }

        String newId() {
            String id = "v" + nextId++;
            live.add(id);
            return id;
        }

        String randomLive(SplittableRandom random) {
            return live.get(random.nextInt(live.size()));
        }

        String removeRandomLive(SplittableRandom random) {
            int i = random.nextInt(live.size());
            String id = live.get(i);
            live.set(i, live.get(live.size() - 1));
            live.remove(live.size() - 1);
            return id;
        }
    }

    private EventPlan(VectorEncoding encoding) {
        this.encoding = encoding;
    }

    static String key(int i) {
        return "shop-" + i;
    }

    private void add(IndexEvent e, boolean query) {
        items.add(new Item(e.key, EventCodec.encode(e, encoding), query, false));
    }

    private void addBad(String key, String text) {
        items.add(new Item(key, text.getBytes(StandardCharsets.UTF_8), false, true));
        bad++;
    }
}
