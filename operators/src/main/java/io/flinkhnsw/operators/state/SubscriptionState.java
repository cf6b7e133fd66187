package io.flinkhnsw.operators.state;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.util.FlinkRuntimeException;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The standing queries of the current key, two MapState entries per subscriptionId: its definition
 * record and its list record (the operator's {@code Subscription} encodes both), so a change of the
 * list, which is most changes, rewrites the list and not the vector. Checkpointed, restored and
 * rescaled with the key's index; bound to the operator's current key like every keyed state handle.
 */
public final class SubscriptionState {
    public static final String SUBSCRIPTIONS_STATE = "hnsw-subscriptions";
    public static final String SUBSCRIPTION_LISTS_STATE = "hnsw-subscription-lists";

    private final MapState<String, byte[]> records;
    private final MapState<String, byte[]> lists;

    public SubscriptionState(RuntimeContext ctx) {
        this.records = ctx.getMapState(new MapStateDescriptor<>(SUBSCRIPTIONS_STATE, StringSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
        this.lists = ctx.getMapState(new MapStateDescriptor<>(SUBSCRIPTION_LISTS_STATE, StringSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
    }

    /** Stores the definition record of {@code subscriptionId}. */
    public void putDefinition(String subscriptionId, byte[] record) {
        put(records, subscriptionId, record);
    }

    /** Stores the list record of {@code subscriptionId}. */
    public void putList(String subscriptionId, byte[] record) {
        put(lists, subscriptionId, record);
    }

    /** Forgets both records of {@code subscriptionId}. */
    public void remove(String subscriptionId) {
        try {
            records.remove(subscriptionId);
            lists.remove(subscriptionId);
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot remove subscription " + subscriptionId, e);
        }
    }

    private static void put(MapState<String, byte[]> state, String subscriptionId, byte[] record) {
        try {
            state.put(subscriptionId, record);
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot write subscription " + subscriptionId, e);
        }
    }

    /** True when the current key has no subscription (one seek, without loading any). */
    public boolean isEmpty() {
        try {
            return records.isEmpty();
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot read subscriptions", e);
        }
    }

    /** Forgets every subscription of the current key. */
    public void clear() {
        records.clear();
        lists.clear();
    }

    /** Hands every definition record of the current key to {@code action}, with its subscriptionId. */
    public void forEachDefinition(BiConsumer<String, byte[]> action) {
        forEach(records, action);
    }

    /** Hands every list record of the current key to {@code action}, with its subscriptionId. */
    public void forEachList(BiConsumer<String, byte[]> action) {
        forEach(lists, action);
    }

    private static void forEach(MapState<String, byte[]> state, BiConsumer<String, byte[]> action) {
        try {
            for (Map.Entry<String, byte[]> e : state.entries()) {
                action.accept(e.getKey(), e.getValue());
            }
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot read subscriptions", e);
        }
    }
}
