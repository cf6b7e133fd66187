package io.flinkhnsw.operators.bench;

import io.flinkhnsw.operators.SubscriptionUpdate;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the standing queries' updates the benchmark job emits and keeps the last one of each subscription. */
final class UpdateSink implements SinkFunction<SubscriptionUpdate> {
    static final Map<String, SubscriptionUpdate> LAST = new ConcurrentHashMap<>();
    static final AtomicLong COUNT = new AtomicLong();

    @Override
    public void invoke(SubscriptionUpdate value, Context context) {
        COUNT.incrementAndGet();
        LAST.put(value.subscriptionId, value);
    }
}
