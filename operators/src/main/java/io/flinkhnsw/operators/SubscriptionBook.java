package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.RamUsage;
import io.flinkhnsw.operators.state.SubscriptionState;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * The in-memory working copy of one key's standing queries, kept with its index in the cache:
 * subscriptions by id (in id order, so updates for one event come out in the same order after a
 * restore), the ids changed or removed since the last write to keyed state, and the bytes it
 * accounts. {@link #flush} writes the changes to {@link SubscriptionState} under the current key.
 */
final class SubscriptionBook {
    private static final long OVERHEAD = RamUsage.object(4 * RamUsage.REFERENCE + 16);
    /** Per subscription: the tree map's entry. */
    private static final long ENTRY_OVERHEAD = RamUsage.object(5 * RamUsage.REFERENCE + 4);

    private final TreeMap<String, Subscription> byId = new TreeMap<>();
    private final Set<String> changed = new LinkedHashSet<>();
    private long bytes = OVERHEAD;
    private int dimension;

    /** Reads the current key's subscriptions from keyed state. */
    static SubscriptionBook load(SubscriptionState state) {
        SubscriptionBook book = new SubscriptionBook();
        state.forEach((id, record) -> book.put(Subscription.decode(id, record)));
        return book;
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

    /** Adds a new subscription, marked for writing. */
    void add(Subscription s) {
        put(s);
        changed(s);
    }

    private void put(Subscription s) {
        Subscription old = byId.put(s.id, s);
        assert old == null : s.id;
        bytes += s.ramBytesUsed() + ENTRY_OVERHEAD;
        dimension = s.vector.length;
    }

    /** Removes a subscription, marked for deleting from state. */
    void remove(Subscription s) {
        byId.remove(s.id);
        bytes -= s.ramBytesUsed() + ENTRY_OVERHEAD;
        changed.add(s.id);
        if (byId.isEmpty()) {
            dimension = 0;
        }
    }

    /** Marks a subscription whose record changed. */
    void changed(Subscription s) {
        changed.add(s.id);
    }

    boolean dirty() {
        return !changed.isEmpty();
    }

    /** Estimated bytes of the records not yet written. */
    long pendingBytes() {
        return changed.size() * (long) (bytes / Math.max(1, byId.size()));
    }

    long ramBytesUsed() {
        return bytes + RamUsage.references(changed.size() * 2L);
    }

    /** Writes the changed records to keyed state (the current key must be this book's); returns how many. */
    int flush(SubscriptionState state) {
        int n = changed.size();
        for (String id : changed) {
            Subscription s = byId.get(id);
            state.put(id, s == null ? null : s.encode());
        }
        changed.clear();
        return n;
    }
}
