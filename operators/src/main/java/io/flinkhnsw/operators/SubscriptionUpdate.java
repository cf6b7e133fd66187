package io.flinkhnsw.operators;

import java.util.List;
import java.util.Objects;

/**
 * One message of a standing query on the updates topic: its neighbours now (nearest first, with
 * payloads, as in a {@link QueryResult}), the ids that entered and left since its last update, the
 * event that caused it ({@code causeOp}, and {@code causeId} for an upsert or delete) and its
 * sequence, which grows by one per subscription from 0 (the subscribe's answer). The last message of
 * a subscription has {@link #ended} set to why it ended and no neighbours.
 */
public class SubscriptionUpdate {
    public String subscriptionId;
    public String key;
    public List<Neighbour> neighbours;
    public List<String> added;
    public List<String> removed;
    /** The op of the event that caused this update: subscribe, upsert or delete. */
    public String causeOp;
    /** The id of the upsert or delete that caused this update; null for a subscribe. */
    public String causeId;
    public long sequence;
    /** Why the subscription ended (unsubscribed, its item deleted, its key dropped); null while it runs. */
    public String ended;

    public SubscriptionUpdate() {
    }

    /** A change of the neighbours. */
    static SubscriptionUpdate changed(String subscriptionId, String key, List<Neighbour> neighbours, List<String> added,
                                      List<String> removed, String causeOp, String causeId, long sequence) {
        SubscriptionUpdate u = new SubscriptionUpdate();
        u.subscriptionId = subscriptionId;
        u.key = key;
        u.neighbours = neighbours;
        u.added = added;
        u.removed = removed;
        u.causeOp = causeOp;
        u.causeId = causeId;
        u.sequence = sequence;
        return u;
    }

    /** The last message of a subscription. */
    static SubscriptionUpdate ended(String subscriptionId, String key, String reason, long sequence) {
        SubscriptionUpdate u = new SubscriptionUpdate();
        u.subscriptionId = subscriptionId;
        u.key = key;
        u.ended = reason;
        u.sequence = sequence;
        return u;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SubscriptionUpdate)) return false;
        SubscriptionUpdate u = (SubscriptionUpdate) o;
        return sequence == u.sequence && Objects.equals(subscriptionId, u.subscriptionId) && Objects.equals(key, u.key)
                && Objects.equals(neighbours, u.neighbours) && Objects.equals(added, u.added)
                && Objects.equals(removed, u.removed) && Objects.equals(causeOp, u.causeOp)
                && Objects.equals(causeId, u.causeId) && Objects.equals(ended, u.ended);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subscriptionId, key, sequence);
    }

    @Override
    public String toString() {
        return "SubscriptionUpdate{" + subscriptionId + " key=" + key + " #" + sequence
                + (ended != null ? " ended=" + ended : " " + neighbours + " +" + added + " -" + removed
                + " cause=" + causeOp + (causeId != null ? " " + causeId : "")) + "}";
    }
}
