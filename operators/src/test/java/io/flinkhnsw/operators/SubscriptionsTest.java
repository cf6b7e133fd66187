package io.flinkhnsw.operators;

import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Standing queries through the operator: the lifecycle (subscribe answers with sequence 0,
 * unsubscribe ends it), updates on inserts inside and outside the radius, deletes of members,
 * upserts and deletes of a followed item, filters, refused requests, and long random streams with
 * deletes and upserts after which every subscription's last pushed list is the exact top-k on a flat
 * key and at least as good as a fresh query at the same ef on a graph key, with no update that
 * changes nothing.
 */
class SubscriptionsTest {
    private static final String KEY = "key-0";

    @Test
    void subscribeAnswersAtOnceAndUnsubscribeEnds() throws Exception {
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            h.feed(List.of(up("a", 0, 0), up("b", 1, 0), up("c", 5, 0)));
            h.process(IndexEvent.subscribe(KEY, "s-1", null, new float[]{0.1f, 0}, 2, 0));
            SubscriptionUpdate first = only(h.drainUpdates());
            assertThat(first.sequence).isZero();
            assertThat(first.causeOp).isEqualTo("subscribe");
            assertThat(ids(first)).containsExactly("a", "b");
            assertThat(first.added).containsExactly("a", "b");
            assertThat(first.removed).isEmpty();

            h.process(IndexEvent.unsubscribe(KEY, "s-1"));
            SubscriptionUpdate last = only(h.drainUpdates());
            assertThat(last.ended).isEqualTo("unsubscribed");
            assertThat(last.sequence).isEqualTo(1);
            h.process(up("d", 0.1f, 0));
            assertThat(h.drainUpdates()).as("nothing after the end").isEmpty();

            h.process(IndexEvent.subscribe(KEY, "s-1", null, new float[]{0.1f, 0}, 2, 0));
            assertThat(only(h.drainUpdates()).sequence).as("the id may be used again, from 0").isZero();
        }
    }

    @Test
    void insertsInsideTheRadiusUpdateAndOutsideDoNot() throws Exception {
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            for (int i = 0; i < 10; i++) {
                h.process(up("v" + i, i, 0));
            }
            h.process(IndexEvent.subscribe(KEY, "s", null, new float[]{0, 0}, 3, 0));
            assertThat(ids(only(h.drainUpdates()))).containsExactly("v0", "v1", "v2");

            h.process(up("far", 50, 0));
            h.process(up("between", 4.5f, 0));
            assertThat(h.drainUpdates()).as("outside the members: no update").isEmpty();

            h.process(up("near", 0.5f, 0));
            SubscriptionUpdate u = only(h.drainUpdates());
            assertThat(ids(u)).containsExactly("v0", "near", "v1");
            assertThat(u.added).containsExactly("near");
            assertThat(u.removed).containsExactly("v2");
            assertThat(u.causeOp).isEqualTo("upsert");
            assertThat(u.causeId).isEqualTo("near");
            assertThat(u.sequence).isEqualTo(1);
            assertThat(u.neighbours.get(1).distance).isEqualTo(0.25f);
            assertThat(u.neighbours.get(1).payload).isEqualTo("{\"x\":0.5}");

            h.process(up("v1", 1, 0));
            assertThat(h.drainUpdates()).as("the same vector again changes nothing").isEmpty();
            h.process(up("v1", 0.2f, 0));
            SubscriptionUpdate moved = only(h.drainUpdates());
            assertThat(ids(moved)).as("a member moved nearer: the order changed").containsExactly("v0", "v1", "near");
            assertThat(moved.added).isEmpty();
            assertThat(moved.removed).isEmpty();
        }
    }

    @Test
    void deletedMembersAreReplacedFromTheKeptCandidates() throws Exception {
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            for (int i = 0; i < 10; i++) {
                h.process(up("v" + i, i, 0));
            }
            h.process(IndexEvent.subscribe(KEY, "s", null, new float[]{0, 0}, 2, 0));
            h.drainUpdates();
            h.process(IndexEvent.delete(KEY, "v9"));
            assertThat(h.drainUpdates()).as("not a member").isEmpty();
            h.process(IndexEvent.delete(KEY, "v0"));
            SubscriptionUpdate u = only(h.drainUpdates());
            assertThat(ids(u)).containsExactly("v1", "v2");
            assertThat(u.removed).containsExactly("v0");
            assertThat(u.added).containsExactly("v2");
            assertThat(u.causeOp).isEqualTo("delete");
            // two kept candidates beyond k = 2 (v2, v3) are used up; then only a search refills
            h.process(IndexEvent.delete(KEY, "v1"));
            h.process(IndexEvent.delete(KEY, "v2"));
            h.process(IndexEvent.delete(KEY, "v3"));
            List<SubscriptionUpdate> us = h.drainUpdates();
            assertThat(us).hasSize(3);
            assertThat(ids(us.get(2))).containsExactly("v4", "v5");
            assertThat(us.get(2).sequence).isEqualTo(4);
        }
    }

    @Test
    void aFollowedItemMovesItsNeighbourhoodAndEndsItWhenDeleted() throws Exception {
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            for (int i = 0; i < 10; i++) {
                h.process(up("v" + i, i, 0));
            }
            h.process(IndexEvent.subscribe(KEY, "s", "v0", null, 2, 0));
            assertThat(ids(only(h.drainUpdates()))).as("never itself").containsExactly("v1", "v2");
            h.process(up("v0", 8.9f, 0));
            SubscriptionUpdate moved = only(h.drainUpdates());
            assertThat(ids(moved)).containsExactly("v9", "v8");
            assertThat(moved.causeId).isEqualTo("v0");
            h.process(IndexEvent.delete(KEY, "v0"));
            SubscriptionUpdate end = only(h.drainUpdates());
            assertThat(end.ended).isEqualTo("item deleted");
            assertThat(end.sequence).isEqualTo(2);
            h.process(IndexEvent.unsubscribe(KEY, "s"));
            assertThat(h.drainRejected()).as("it is gone").hasSize(1);
        }
    }

    @Test
    void dropEndsEverySubscriptionOfTheKey() throws Exception {
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            h.process(up("a", 0, 0));
            h.process(IndexEvent.subscribe(KEY, "s-1", null, new float[]{0, 0}, 1, 0));
            h.process(IndexEvent.subscribe(KEY, "s-2", "a", null, 1, 0));
            h.drainUpdates();
            h.process(IndexEvent.drop(KEY));
            assertThat(h.drainUpdates()).extracting(u -> u.subscriptionId + " " + u.ended + " " + u.sequence)
                    .containsExactly("s-1 key dropped 1", "s-2 key dropped 1");
        }
    }

    @Test
    void filteredSubscriptionsFollowPayloadChanges() throws Exception {
        IndexSettings settings = IndexSettings.builder().filterFields(FilterFields.parse("color:keyword")).build();
        try (IndexHarness h = IndexHarness.open(settings)) {
            h.process(IndexEvent.upsert(KEY, "red-far", new float[]{5, 0}, "{\"color\":\"red\"}"));
            h.process(IndexEvent.upsert(KEY, "blue-near", new float[]{1, 0}, "{\"color\":\"blue\"}"));
            IndexEvent subscribe = IndexEvent.subscribe(KEY, "s", null, new float[]{0, 0}, 1, 0);
            subscribe.filter = "{\"must\":[{\"field\":\"color\",\"match\":\"red\"}]}";
            h.process(subscribe);
            assertThat(ids(only(h.drainUpdates()))).containsExactly("red-far");
            h.process(IndexEvent.upsert(KEY, "blue-nearer", new float[]{0.5f, 0}, "{\"color\":\"blue\"}"));
            assertThat(h.drainUpdates()).isEmpty();
            h.process(IndexEvent.upsert(KEY, "blue-near", null, "{\"color\":\"red\"}"));
            assertThat(ids(only(h.drainUpdates()))).as("now red").containsExactly("blue-near");
        }
    }

    @Test
    void badSubscriptionRequestsAreRejectedWithReasons() throws Exception {
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            h.process(up("a", 0, 0));
            h.process(IndexEvent.subscribe(KEY, "s", null, new float[]{0, 0}, 1, 0));
            h.drainUpdates();
            h.process(IndexEvent.subscribe(KEY, "s", null, new float[]{0, 0}, 1, 0));
            h.process(IndexEvent.subscribe(KEY, "t", "nope", null, 1, 0));
            h.process(IndexEvent.subscribe(KEY, "t", null, new float[]{0, 0, 0}, 1, 0));
            h.process(IndexEvent.subscribe(KEY, "t", null, new float[]{0, 0}, 101, 0));
            h.process(IndexEvent.subscribe(KEY, null, null, new float[]{0, 0}, 1, 0));
            h.process(IndexEvent.unsubscribe(KEY, "nope"));
            h.process(IndexEvent.unsubscribe("other-key", "nope"));
            assertThat(h.drainRejected()).extracting(r -> r.reason).containsExactly(
                    "subscription 's' already exists on key 'key-0': unsubscribe it first, or use another subscriptionId",
                    "subscribe to unknown id 'nope': the key holds no vector under it",
                    "vector has dimension 3 but key 'key-0' holds vectors of dimension 2",
                    "k is 101, must be in 1..100 for a subscription",
                    "missing field 'subscriptionId'",
                    "unsubscribe of unknown subscription 'nope' on key 'key-0'",
                    "unsubscribe of unknown subscription 'nope' on key 'other-key'");
            assertThat(h.drainUpdates()).isEmpty();
            assertThat(h.drainResults()).isEmpty();
        }
    }

    @Test
    void subscriptionsOnAnEmptyKeyFixItsDimension() throws Exception {
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            h.process(IndexEvent.subscribe(KEY, "s", null, new float[]{0, 0}, 2, 0));
            assertThat(only(h.drainUpdates()).neighbours).isEmpty();
            h.process(IndexEvent.upsert(KEY, "x", new float[]{1, 2, 3}, null));
            assertThat(h.drainRejected()).extracting(r -> r.reason)
                    .containsExactly("vector has dimension 3 but the subscriptions of key 'key-0' have dimension 2");
            h.process(up("a", 1, 0));
            assertThat(ids(only(h.drainUpdates()))).containsExactly("a");
        }
    }

    /** A flat key is searched exactly: every last pushed list must be the exact top-k. */
    @Test
    void longRandomStreamOnAFlatKeyKeepsTheExactTopK() throws Exception {
        Replay r = replay(IndexSettings.builder().flatLimit(100_000).build(), 2000, 8, 138);
        assertThat(r.exactRecall).isEqualTo(1.0);
        assertThat(r.updates).isGreaterThan(200);
    }

    /** On a graph, the pushed lists are at least as good as asking again at the same ef. */
    @Test
    void longRandomStreamOnAGraphIsAtLeastAsGoodAsAFreshQuery() throws Exception {
        Replay r = replay(IndexSettings.builder().flatLimit(64).build(), 4000, 16, 84);
        assertThat(r.exactRecall).isGreaterThanOrEqualTo(r.freshRecall);
        assertThat(r.exactRecall).isGreaterThan(0.95);
        assertThat(r.freshRecall).as("the beam is narrow enough to miss").isLessThan(0.97);
    }

    private record Replay(double exactRecall, double freshRecall, int updates) {
    }

    /**
     * Subscribes {@code subscriptions} standing queries (by vector, some following an id) to one key,
     * then streams {@code events} random upserts (new and existing ids), deletes and payload-free
     * re-upserts; checks every update changes something and follows the last one of its
     * subscription; returns the mean recall@k of the last lists against the exact top-k and of a
     * fresh query with the same vector, k and ef.
     */
    private static Replay replay(IndexSettings settings, int events, int dim, int subscriptions) throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        Map<String, float[]> live = new LinkedHashMap<>();
        Map<String, IndexEvent> subs = new LinkedHashMap<>();
        Map<String, SubscriptionUpdate> last = new HashMap<>();
        int updates = 0;
        try (IndexHarness h = IndexHarness.open(settings)) {
            for (int i = 0; i < 200; i++) {
                float[] v = RandomEvents.vector(rnd, dim);
                live.put("id-" + i, v);
                h.process(IndexEvent.upsert(KEY, "id-" + i, v, null));
            }
            for (int s = 0; s < subscriptions; s++) {
                int k = 1 + rnd.nextInt(10);
                // half at the key's default ef, half at the narrowest beam (ef = k), where a fresh query misses most
                IndexEvent e = IndexEvent.subscribe(KEY, "s-" + s, null, RandomEvents.vector(rnd, dim), k, s % 2 == 0 ? 0 : k);
                subs.put(e.subscriptionId, e);
                h.process(e);
            }
            for (int i = 0; i < events; i++) {
                int roll = rnd.nextInt(10);
                if (roll < 3 && !live.isEmpty()) {
                    String id = "id-" + rnd.nextInt(200 + i);
                    live.remove(id);
                    h.process(IndexEvent.delete(KEY, id));
                } else {
                    String id = roll < 5 ? "id-" + rnd.nextInt(200 + i) : "n-" + i;
                    float[] v = RandomEvents.vector(rnd, dim);
                    live.put(id, v);
                    h.process(IndexEvent.upsert(KEY, id, v, null));
                }
                for (SubscriptionUpdate u : h.drainUpdates()) {
                    SubscriptionUpdate before = last.get(u.subscriptionId);
                    if (before != null) {
                        assertThat(u.sequence).isEqualTo(before.sequence + 1);
                        assertThat(u.neighbours).as("an update changes something").isNotEqualTo(before.neighbours);
                    }
                    last.put(u.subscriptionId, u);
                    updates++;
                }
            }
            assertThat(h.drainRejected()).isEmpty();
            String[] ids = live.keySet().toArray(String[]::new);
            float[][] vectors = live.values().toArray(float[][]::new);
            double exact = 0;
            double fresh = 0;
            for (IndexEvent s : subs.values()) {
                int[] truth = ExactKnn.nearest(vectors, s.vector, s.k, Metric.L2, row -> false);
                List<String> expected = new ArrayList<>();
                for (int row : truth) {
                    expected.add(ids[row]);
                }
                exact += recall(expected, ids(last.get(s.subscriptionId)));
                QueryResult asked = h.ask(IndexEvent.query(KEY, "fresh-" + s.subscriptionId, s.vector, s.k, s.ef));
                fresh += recall(expected, IndexHarness.ids(asked));
            }
            return new Replay(exact / subs.size(), fresh / subs.size(), updates);
        }
    }

    private static double recall(List<String> expected, List<String> got) {
        return (double) got.stream().filter(expected::contains).count() / expected.size();
    }

    private static IndexEvent up(String id, float x, float y) {
        return IndexEvent.upsert(KEY, id, new float[]{x, y}, "{\"x\":" + x + "}");
    }

    private static List<String> ids(SubscriptionUpdate u) {
        return u.neighbours.stream().map(n -> n.id).toList();
    }

    private static SubscriptionUpdate only(List<SubscriptionUpdate> updates) {
        assertThat(updates).hasSize(1);
        return updates.get(0);
    }
}
