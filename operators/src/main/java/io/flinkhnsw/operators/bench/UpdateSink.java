package io.flinkhnsw.operators.bench;

import io.flinkhnsw.operators.SubscriptionUpdate;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Counts the standing queries' updates the benchmark job emits and keeps the last one of each
 * subscription {@link #keep} selects (those the recall is measured on: keeping every one would make
 * the benchmark's own bookkeeping a large part of what it measures).
 */
final class UpdateSink implements SinkFunction<SubscriptionUpdate> {
    static final Map<String, SubscriptionUpdate> LAST = new ConcurrentHashMap<>();
    static final AtomicLong COUNT = new AtomicLong();
    static volatile Predicate<String> keep = id -> true;

    @Override
    public void invoke(SubscriptionUpdate value, Context context) {
        COUNT.incrementAndGet();
        if (keep.test(value.subscriptionId)) {
            LAST.put(value.subscriptionId, value);
        }
    }
}
