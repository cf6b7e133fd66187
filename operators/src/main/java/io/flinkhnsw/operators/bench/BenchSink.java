package io.flinkhnsw.operators.bench;

import io.flinkhnsw.operators.QueryResult;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Records the time every query result the benchmark job emits arrived (epoch ms), by queryId, and
 * the result itself for the queryIds {@link #keep} accepts (all by default).
 */
final class BenchSink implements SinkFunction<QueryResult> {
    static final Map<String, QueryResult> RESULTS = new ConcurrentHashMap<>();
    static final Map<String, Long> ARRIVED = new ConcurrentHashMap<>();
    static volatile Predicate<String> keep = id -> true;

    @Override
    public void invoke(QueryResult value, Context context) {
        ARRIVED.putIfAbsent(value.queryId, System.currentTimeMillis());
        if (keep.test(value.queryId)) {
            RESULTS.putIfAbsent(value.queryId, value);
        }
    }
}
