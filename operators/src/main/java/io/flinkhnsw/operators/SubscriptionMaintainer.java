package io.flinkhnsw.operators;

import io.flinkhnsw.filter.CompiledFilter;
import io.flinkhnsw.filter.FieldIndex;
import io.flinkhnsw.filter.Filter;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.operators.state.PayloadState;
import io.flinkhnsw.vector.Metric;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Keeps a key's standing queries ({@link SubscriptionBook}) current as its events arrive and emits
 * their updates. A subscribe searches once for {@link Subscription#keep()} candidates and answers
 * with sequence 0. An upsert is offered to each subscription it can affect: one whose followed item
 * it is gets searched again; any other only when the vector lies within its radius (or was in its
 * list, for a changed vector); a delete removes the id from the lists that hold it, refilling by a
 * search only a list left with fewer than k, and ends the subscriptions following it. Distances are
 * computed here with one kernel from the stored vectors, so a member's distance never changes
 * unless its vector or the query's does; an update is emitted only when the members (ids, order or
 * distances) changed. Reasons for refused requests are returned, not thrown.
 */
final class SubscriptionMaintainer {
    static final String UNSUBSCRIBED = "unsubscribed";
    static final String ITEM_DELETED = "item deleted";
    static final String KEY_DROPPED = "key dropped";

    private final PayloadState payloads;
    private final IndexSettings settings;
    private final OperatorMetrics metrics;
    /**
     * The payloads read for the current event's updates: one event's updates share most members,
     * and a key without payloads is asked once, not once per member.
     */
    private final Map<String, String> eventPayloads = new HashMap<>();
    private int keyHasPayloads;

    SubscriptionMaintainer(PayloadState payloads, IndexSettings settings, OperatorMetrics metrics) {
        this.payloads = payloads;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** Registers a subscription and emits its current neighbours as sequence 0; or returns why it is refused. */
    String subscribe(IndexCache.Entry entry, IndexEvent e, Consumer<SubscriptionUpdate> out) {
        begin();
        SubscriptionBook book = entry.subscriptions;
        KeyIndex index = entry.index;
        if (book.get(e.subscriptionId) != null) {
            return "subscription '" + e.subscriptionId + "' already exists on key '" + e.key
                    + "': unsubscribe it first, or use another subscriptionId";
        }
        if (book.size() >= Limits.MAX_SUBSCRIPTIONS_PER_KEY) {
            return "key '" + e.key + "' holds " + book.size() + " subscriptions, its limit ("
                    + Limits.MAX_SUBSCRIPTIONS_PER_KEY + "): unsubscribe some or spread them over keys";
        }
        float[] vector;
        if (e.id != null) {
            vector = index.dimension() == 0 ? null : index.vector(e.id);
            if (vector == null) {
                return "subscribe to unknown id '" + e.id + "': the key holds no vector under it";
            }
        } else {
            int dimension = index.dimension() > 0 ? index.dimension() : book.dimension();
            if (dimension > 0 && e.vector.length != dimension) {
                return "vector has dimension " + e.vector.length + " but key '" + e.key + "' holds vectors of dimension "
                        + dimension;
            }
            vector = prepared(index.config().metric(), e.vector);
            if (vector == null) {
                return "vector is all zeros; it has no direction for cosine distance";
            }
        }
        Subscription s = new Subscription(book.listIds(), e.subscriptionId, e.id, vector, e.k, e.ef, e.filter);
        if (s.filter != null) {
            s.parsedFilter = Filter.parse(s.filter, settings.filterFieldsFor(e.key));
        }
        refill(entry, s);
        book.add(s);
        String[] members = s.memberIds();
        out.accept(SubscriptionUpdate.changed(s.id, e.key, neighbours(s), List.of(members), List.of(), "subscribe",
                null, s.sequence++));
        return null;
    }

    /** Ends a subscription with a last update; or returns why it cannot. */
    String unsubscribe(IndexCache.Entry entry, IndexEvent e, Consumer<SubscriptionUpdate> out) {
        begin();
        Subscription s = entry.subscriptions.get(e.subscriptionId);
        if (s == null) {
            return "unsubscribe of unknown subscription '" + e.subscriptionId + "' on key '" + e.key + "'";
        }
        end(entry, s, UNSUBSCRIBED, out);
        return null;
    }

    /** Why an upsert of {@code vector} to a key without vectors yet cannot be taken: its subscriptions' dimension differs. */
    String checkDimension(IndexCache.Entry entry, float[] vector) {
        int dimension = entry.subscriptions.dimension();
        if (entry.index.dimension() == 0 && dimension > 0 && vector.length != dimension) {
            return "vector has dimension " + vector.length + " but the subscriptions of key '" + entry.key
                    + "' have dimension " + dimension;
        }
        return null;
    }

    /**
     * Before an upsert of {@code id}'s vector: its current stored vector when the key has
     * subscriptions and holds it (the lists holding it are found near it), else null.
     */
    float[] vectorBeforeWrite(IndexCache.Entry entry, String id) {
        return entry.subscriptions.isEmpty() || !entry.index.contains(id) ? null : entry.index.vector(id);
    }

    /** After {@code id}'s vector was upserted; {@code previous}: its vector before, or null when it is new. */
    void upserted(IndexCache.Entry entry, String id, float[] previous, Consumer<SubscriptionUpdate> out) {
        begin();
        SubscriptionBook book = entry.subscriptions;
        if (book.isEmpty()) {
            return;
        }
        float[] stored = entry.index.vector(id);
        for (Subscription s : new ArrayList<>(book.following(id))) {
            Snapshot before = new Snapshot(s);
            s.vector = stored;
            book.vectorChanged(s);
            refill(entry, s);
            emitIfChanged(entry, s, before, "upsert", id, out);
        }
        if (previous == null) {
            inserted(entry, id, stored, out);
        } else {
            moved(entry, id, stored, previous, out);
        }
    }

    /**
     * A new id: it enters the lists whose radius it is inside. Offering only adds, so no list needs
     * a search, and the update follows from the rank it entered at: the id is added and the member
     * it pushed past k is removed.
     */
    private void inserted(IndexCache.Entry entry, String id, float[] stored, Consumer<SubscriptionUpdate> out) {
        NewIdOffer offer = new NewIdOffer(entry, id, out);
        entry.subscriptions.forEachNear(stored, offer);
        offer.finish();
    }

    /**
     * Offers a new id to each list whose radius it is inside, as the lists are found ({@link
     * SubscriptionBook#forEachNear}), and emits the updates of those it entered among the first k.
     */
    private final class NewIdOffer implements SubscriptionIndex.Reached {
        private final IndexCache.Entry entry;
        private final String id;
        private final Consumer<SubscriptionUpdate> out;
        private final List<String> added;
        /** The id's handle, taken at the first offer and held until {@link #finish}, so a list that takes it and drops it again does not free it. */
        private int handle = -1;

        NewIdOffer(IndexCache.Entry entry, String id, Consumer<SubscriptionUpdate> out) {
            this.entry = entry;
            this.id = id;
            this.out = out;
            this.added = List.of(id);
        }

        @Override
        public void reached(Subscription s, float distance) {
            if (id.equals(s.followed) || (s.filter != null && !compiled(entry, s).acceptsId(id))) {
                return;
            }
            assert s.keep() > s.k : "the member pushed past k must still be in the list";
            if (handle < 0) {
                handle = entry.subscriptions.listIds().acquire(id);
            }
            int rank = s.offer(handle, distance);
            if (rank < 0) {
                return;
            }
            entry.subscriptions.changed(s);
            if (rank < s.k) {
                List<String> removed = s.kept() > s.k ? List.of(s.keptId(s.k)) : List.of();
                emit(entry, s, added, removed, "upsert", id, out);
            }
        }

        void finish() {
            if (handle >= 0) {
                entry.subscriptions.listIds().release(handle);
            }
        }
    }

    /** An id's vector moved: lists near its old vector may hold it, lists near its new one may take it. */
    private void moved(IndexCache.Entry entry, String id, float[] stored, float[] previous,
                       Consumer<SubscriptionUpdate> out) {
        SubscriptionBook book = entry.subscriptions;
        Metric metric = entry.index.config().metric();
        Set<Subscription> candidates = new LinkedHashSet<>();
        book.forEachNear(stored, (s, distance) -> candidates.add(s));
        book.forEachNear(previous, (s, distance) -> candidates.add(s));
        for (Subscription s : candidates) {
            if (id.equals(s.followed)) {
                continue;
            }
            boolean accepted = s.filter == null || compiled(entry, s).acceptsId(id);
            float d = accepted ? s.distanceTo(metric, stored) : Float.POSITIVE_INFINITY;
            if (!(d < s.radius()) && !s.contains(id)) {
                continue;
            }
            Snapshot before = new Snapshot(s);
            s.remove(id);
            if (accepted) {
                s.offer(id, d);
            }
            settle(entry, s, before, "upsert", id, out);
        }
    }

    /** After a payload-only upsert of {@code id}: filtered subscriptions take or drop it as their filter now says. */
    void payloadChanged(IndexCache.Entry entry, String id, Consumer<SubscriptionUpdate> out) {
        begin();
        SubscriptionBook book = entry.subscriptions;
        if (book.isEmpty()) {
            return;
        }
        book.forEachNear(entry.index.vector(id), (s, distance) -> {
            if (s.filter == null || id.equals(s.followed)) {
                return;
            }
            boolean accepted = compiled(entry, s).acceptsId(id);
            boolean held = s.contains(id);
            if (accepted == held) {
                return;
            }
            Snapshot before = new Snapshot(s);
            if (held) {
                s.remove(id);
            } else {
                s.offer(id, distance);
            }
            settle(entry, s, before, "upsert", id, out);
        });
    }

    /**
     * After {@code id} was deleted ({@code previous}: its vector, null when the key has no
     * subscriptions): lists drop it (refilled when left short), its followers end.
     */
    void deleted(IndexCache.Entry entry, String id, float[] previous, Consumer<SubscriptionUpdate> out) {
        begin();
        SubscriptionBook book = entry.subscriptions;
        if (book.isEmpty()) {
            return;
        }
        List<Subscription> following = new ArrayList<>(book.following(id));
        ListIds listIds = book.listIds();
        int handle = listIds.find(id);
        if (handle >= 0) {
            // held through the loop: a refill may take handles, and must not be given this one while it is looked for
            listIds.hold(handle);
            book.forEachNear(previous, (s, distance) -> {
                if (!id.equals(s.followed) && s.holds(handle)) {
                    Snapshot before = new Snapshot(s);
                    s.remove(handle);
                    settle(entry, s, before, "delete", id, out);
                }
            });
            listIds.release(handle);
        }
        for (Subscription s : following) {
            end(entry, s, ITEM_DELETED, out);
        }
    }

    /** The key is being dropped: every subscription ends. */
    void dropped(String key, SubscriptionBook book, Consumer<SubscriptionUpdate> out) {
        for (Subscription s : new ArrayList<>(book.all())) {
            end(key, book, s, KEY_DROPPED, out);
        }
    }

    private void end(IndexCache.Entry entry, Subscription s, String reason, Consumer<SubscriptionUpdate> out) {
        end(entry.key, entry.subscriptions, s, reason, out);
    }

    private void end(String key, SubscriptionBook book, Subscription s, String reason, Consumer<SubscriptionUpdate> out) {
        book.remove(s);
        metrics.updated();
        out.accept(SubscriptionUpdate.ended(s.id, key, reason, s.sequence));
    }

    /** After the list changed: refilled by a search when left short, marked for writing, an update when the members changed. */
    private void settle(IndexCache.Entry entry, Subscription s, Snapshot before, String causeOp, String causeId,
                        Consumer<SubscriptionUpdate> out) {
        if (s.needsRefill()) {
            refill(entry, s);
        }
        emitIfChanged(entry, s, before, causeOp, causeId, out);
    }

    private void emitIfChanged(IndexCache.Entry entry, Subscription s, Snapshot before, String causeOp, String causeId,
                               Consumer<SubscriptionUpdate> out) {
        entry.subscriptions.changed(s);
        String[] ids = s.memberIds();
        if (Arrays.equals(ids, before.ids) && Arrays.equals(s.memberDistances(), before.distances)) {
            return;
        }
        Set<String> was = new HashSet<>(Arrays.asList(before.ids));
        Set<String> is = new HashSet<>(Arrays.asList(ids));
        List<String> added = new ArrayList<>();
        for (String id : ids) {
            if (!was.contains(id)) {
                added.add(id);
            }
        }
        List<String> removed = new ArrayList<>();
        for (String id : before.ids) {
            if (!is.contains(id)) {
                removed.add(id);
            }
        }
        emit(entry, s, added, removed, causeOp, causeId, out);
    }

    private void emit(IndexCache.Entry entry, Subscription s, List<String> added, List<String> removed, String causeOp,
                      String causeId, Consumer<SubscriptionUpdate> out) {
        metrics.updated();
        out.accept(SubscriptionUpdate.changed(s.id, entry.key, neighbours(s), added, removed, causeOp, causeId,
                s.sequence++));
    }

    /**
     * Replaces the list by a search for {@link Subscription#keep()} candidates (one more for a
     * followed item, which is left out), with distances computed again from the stored vectors.
     */
    private void refill(IndexCache.Entry entry, Subscription s) {
        KeyIndex index = entry.index;
        metrics.recomputed();
        if (index.dimension() == 0 || index.size() == 0) {
            s.reset(new String[0], new float[0], 0, true);
            return;
        }
        int ask = s.keep() + (s.followed != null ? 1 : 0);
        int ef = Math.min(Limits.MAX_EF, Math.max(ask, index.config().efFor(s.k, s.ef)));
        SearchResult hits = index.search(s.vector, ask, ef, s.filter == null ? null : compiled(entry, s));
        Metric metric = index.config().metric();
        String[] ids = new String[hits.size()];
        float[] distances = new float[hits.size()];
        int n = 0;
        for (int i = 0; i < hits.size(); i++) {
            String id = hits.id(i);
            if (!id.equals(s.followed)) {
                ids[n] = id;
                distances[n++] = s.distanceTo(metric, index.vector(id));
            }
        }
        // the search's order, stably re-sorted by the distances computed here
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(distances[a], distances[b]));
        String[] hitIds = new String[Math.min(n, s.keep())];
        float[] hitDistances = new float[hitIds.length];
        for (int i = 0; i < hitIds.length; i++) {
            hitIds[i] = ids[order[i]];
            hitDistances[i] = distances[order[i]];
        }
        s.reset(hitIds, hitDistances, hitIds.length, hits.size() < ask);
    }

    private CompiledFilter compiled(IndexCache.Entry entry, Subscription s) {
        FieldIndex fields = entry.fields;
        if (s.parsedFilter == null) {
            s.parsedFilter = Filter.parse(s.filter, settings.filterFieldsFor(entry.key));
        }
        return fields.compile(s.parsedFilter);
    }

    private List<Neighbour> neighbours(Subscription s) {
        List<Neighbour> out = new ArrayList<>(s.members());
        for (int i = 0; i < s.members(); i++) {
            out.add(new Neighbour(s.memberId(i), s.memberDistance(i), payload(s.memberId(i))));
        }
        return out;
    }

    /** Starts an event: payloads read for the last one may have changed. */
    private void begin() {
        eventPayloads.clear();
        keyHasPayloads = 0;
    }

    private String payload(String id) {
        if (keyHasPayloads == 0) {
            keyHasPayloads = payloads.isEmpty() ? -1 : 1;
        }
        return keyHasPayloads < 0 ? null : eventPayloads.computeIfAbsent(id, payloads::get);
    }

    /** The vector in the form the metric stores it (unit length under cosine); null for a zero vector under cosine. */
    private static float[] prepared(Metric metric, float[] vector) {
        if (!metric.normalises()) {
            return vector.clone();
        }
        double squaredNorm = 0;
        for (float x : vector) {
            squaredNorm += (double) x * x;
        }
        if (squaredNorm == 0) {
            return null;
        }
        double scale = 1.0 / Math.sqrt(squaredNorm);
        float[] unit = new float[vector.length];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = (float) (vector[i] * scale);
        }
        return unit;
    }

    /** The members before a change. */
    private record Snapshot(String[] ids, float[] distances) {
        Snapshot(Subscription s) {
            this(s.memberIds(), s.memberDistances());
        }
    }
}
