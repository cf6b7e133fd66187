package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.RamUsage;
import io.flinkhnsw.operators.state.SubscriptionState;

import io.flinkhnsw.vector.Metric;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The in-memory working copy of one key's standing queries, kept with its index in the cache:
 * subscriptions by id (in id order, so updates for one event come out in the same order after a
 * restore), by the id they follow, and in a {@link SubscriptionIndex} that finds those an insert
 * can affect; the subscriptions changed and the ids removed since the last write to keyed state,
 * and the bytes it accounts (with each subscription its slot in the index's groups: its int8
 * codes, a reference and six floats), and the {@link ListIds} their lists share, made with the
 * first subscription. {@link #flush} writes the changes to
 * {@link SubscriptionState} under the current key.
 */
final class SubscriptionBook {
    private static final long OVERHEAD = RamUsage.object(4 * RamUsage.REFERENCE + 16);
    /** Per subscription: the tree map's entry and its slot in its index group, but for its codes there. */
    private static final long ENTRY_OVERHEAD = RamUsage.object(5 * RamUsage.REFERENCE + 4) + SubscriptionIndex.MEMBER_BYTES;

    private final TreeMap<String, Subscription> byId = new TreeMap<>();
    private final SubscriptionIndex index;
    private ListIds listIds;
    /** Subscriptions by the id they follow. */
    private final Map<String, List<Subscription>> followers = new HashMap<>();
    private final List<Subscription> changed = new ArrayList<>();
    private final Set<String> removed = new LinkedHashSet<>();
    private long bytes = OVERHEAD;
    private int dimension;

    SubscriptionBook(Metric metric) {
        this.index = new SubscriptionIndex(metric);
    }

    /**
     * Reads the current key's subscriptions from keyed state; {@code metric} is the key's. A list
     * record overrides the list a v1 definition record carries.
     */
    static SubscriptionBook load(SubscriptionState state, Metric metric) {
        SubscriptionBook book = new SubscriptionBook(metric);
        Map<String, Subscription> loaded = new TreeMap<>();
        state.forEachDefinition((id, record) -> loaded.put(id, Subscription.decode(book.listIds(), id, record)));
        state.forEachList((id, record) -> {
            Subscription s = loaded.get(id);
            if (s != null) {
                s.applyList(record);
            }
        });
        loaded.values().forEach(book::put);
        return book;
    }

    /** The ids this book's lists hold, as handles. */
    ListIds listIds() {
        if (listIds == null) {
            listIds = new ListIds();
        }
        return listIds;
    }

    Subscription get(String subscriptionId) {
        return byId.get(subscriptionId);
    }

    int size() {
        return byId.size();
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The dimension of the subscriptions' vectors; 0 when there are none. */
    int dimension() {
        return dimension;
    }

    /** The subscriptions in id order. */
    Collection<Subscription> all() {
        return byId.values();
    }

    /** The subscriptions following {@code id}, in id order (none: empty). */
    List<Subscription> following(String id) {
        return followers.getOrDefault(id, List.of());
    }

    /**
     * Hands {@code to} the subscriptions whose radius reaches {@code x}, inclusive, with their
     * distances, group by group (see {@link SubscriptionIndex#forEachWithin}; updates of different
     * subscriptions for one event come out in no particular order, each subscription's own in
     * sequence).
     */
    void forEachNear(float[] x, SubscriptionIndex.Reached to) {
        index.forEachWithin(x, to);
    }

    /** After a followed item's vector replaced {@code s}'s. */
    void vectorChanged(Subscription s) {
        index.vectorChanged(s);
        markDefinition(s);
    }

    /** Adds a new subscription, marked for writing. */
    void add(Subscription s) {
        put(s);
        markDefinition(s);
        changed(s);
    }

    private void markDefinition(Subscription s) {
        if (!s.dirty && !s.definitionDirty) {
            changed.add(s);
        }
        s.definitionDirty = true;
    }

    private void put(Subscription s) {
        Subscription old = byId.put(s.id, s);
        assert old == null : s.id;
        bytes += bytesOf(s);
        dimension = s.vector.length;
        index.add(s);
        if (s.followed != null) {
            followers.computeIfAbsent(s.followed, f -> new ArrayList<>()).add(s);
            followers.get(s.followed).sort(Comparator.comparing(f -> f.id));
        }
    }

    /** Removes a subscription, marked for deleting from state. */
    void remove(Subscription s) {
        byId.remove(s.id);
        bytes -= bytesOf(s);
        s.ended = true;
        s.releaseAll();
        removed.add(s.id);
        index.remove(s);
        if (s.followed != null) {
            List<Subscription> f = followers.get(s.followed);
            f.remove(s);
            if (f.isEmpty()) {
                followers.remove(s.followed);
            }
        }
        if (byId.isEmpty()) {
            dimension = 0;
        }
    }

    private static long bytesOf(Subscription s) {
        return s.ramBytesUsed() + ENTRY_OVERHEAD + SubscriptionIndex.codeBytes(s.vector.length);
    }

    /** Marks a subscription whose list changed (and so its radius may have). */
    void changed(Subscription s) {
        if (!s.dirty && !s.definitionDirty) {
            changed.add(s);
        }
        s.dirty = true;
        index.radiusChanged(s);
    }

    boolean dirty() {
        return !changed.isEmpty() || !removed.isEmpty();
    }

    long ramBytesUsed() {
        return bytes + RamUsage.references(changed.size() + 2L * removed.size())
                + (listIds == null ? 0 : listIds.ramBytesUsed());
    }

    /** Writes the changed records to keyed state (the current key must be this book's); returns how many. */
    int flush(SubscriptionState state) {
        int n = 0;
        for (String id : removed) {
            if (!byId.containsKey(id)) {
                state.remove(id);
                n++;
            }
        }
        for (Subscription s : changed) {
            if (!s.ended) {
                if (s.definitionDirty) {
                    state.putDefinition(s.id, s.encodeDefinition());
                }
                if (s.dirty) {
                    state.putList(s.id, s.encodeList());
                }
                n++;
            }
            s.dirty = false;
            s.definitionDirty = false;
        }
        removed.clear();
        changed.clear();
        return n;
    }
}
