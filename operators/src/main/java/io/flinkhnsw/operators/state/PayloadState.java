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
 * The JSON payloads of the current key's vectors, one MapState entry per external id, kept apart from
 * the graph so the graph never carries them and a query reads only the payloads of its k results.
 * Bound to the operator's current key like every keyed state handle.
 */
public final class PayloadState {
    public static final String PAYLOADS_STATE = "hnsw-payloads";

    private final MapState<String, byte[]> payloads;

    public PayloadState(RuntimeContext ctx) {
        this.payloads = ctx.getMapState(new MapStateDescriptor<>(PAYLOADS_STATE, StringSerializer.INSTANCE,
                BytePrimitiveArraySerializer.INSTANCE));
    }

    /** Stores the payload of {@code id}, or forgets it when {@code payload} is null. */
    public void put(String id, String payload) {
        try {
            if (payload == null) {
                payloads.remove(id);
            } else {
                payloads.put(id, PayloadCodec.encode(payload));
            }
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot write payload of " + id, e);
        }
    }

    public void remove(String id) {
        put(id, null);
    }

    /** Forgets every payload of the current key. */
    public void clear() {
        payloads.clear();
    }

    /** Hands every stored payload of the current key to {@code action}, with its id, in the backend's order. */
    public void forEach(BiConsumer<String, String> action) {
        try {
            for (Map.Entry<String, byte[]> e : payloads.entries()) {
                action.accept(e.getKey(), PayloadCodec.decode(e.getValue()));
            }
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot read payloads", e);
        }
    }

    /** True when the current key stores no payload at all. */
    public boolean isEmpty() {
        try {
            return payloads.isEmpty();
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot read payloads", e);
        }
    }

    /** The payload of {@code id}, or null. */
    public String get(String id) {
        try {
            byte[] bytes = payloads.get(id);
            return bytes == null ? null : PayloadCodec.decode(bytes);
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state: cannot read payload of " + id, e);
        }
    }
}
