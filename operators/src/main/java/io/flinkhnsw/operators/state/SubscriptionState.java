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
 * The standing queries of the current key, one MapState entry per subscriptionId holding its binary
 * record (the operator's {@code Subscription} encodes it), checkpointed, restored and rescaled with
 * the key's index. Bound to the operator's current key like every keyed state handle.
 */
public final class SubscriptionState {
    public static final String SUBSCRIPTIONS_STATE = "hnsw-subscriptions";

    private final MapState<String, byte[]> records;

    public SubscriptionState(RuntimeContext ctx) {
        this.records = ctx.getMapState(new MapStateDescriptor<>(SUBSCRIPTIONS_STATE, StringSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
    }

    /** Stores the record of {@code subscriptionId}, or forgets it when {@code record} is null. */
    public void put(String subscriptionId, byte[] record) {
        try {
            if (record == null) {
                records.remove(subscriptionId);
            } else {
                records.put(subscriptionId, record);
            }
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
    }

    /** Hands every stored record of the current key to {@code action}, with its subscriptionId. */
    public void forEach(BiConsumer<String, byte[]> action) {
        try {
            for (Map.Entry<String, byte[]> e : records.entries()) {
                action.accept(e.getKey(), e.getValue());
            }
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot read subscriptions", e);
        }
    }
}
