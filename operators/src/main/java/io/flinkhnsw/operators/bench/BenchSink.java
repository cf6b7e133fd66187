package io.flinkhnsw.operators.bench;

import io.flinkhnsw.operators.QueryResult;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Records every query result the benchmark job emits with the time it arrived (epoch ms), by queryId. */
final class BenchSink implements SinkFunction<QueryResult> {
    static final Map<String, QueryResult> RESULTS = new ConcurrentHashMap<>();
    static final Map<String, Long> ARRIVED = new ConcurrentHashMap<>();

    @Override
    public void invoke(QueryResult value, Context context) {
        ARRIVED.putIfAbsent(value.queryId, System.currentTimeMillis());
        RESULTS.putIfAbsent(value.queryId, value);
    }
}
