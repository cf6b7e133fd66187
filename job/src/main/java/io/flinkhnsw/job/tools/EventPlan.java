package io.flinkhnsw.job.tools;

import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.codec.VectorEncoding;
import io.flinkhnsw.operators.IndexEvent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
