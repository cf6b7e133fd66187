package io.flinkhnsw.operators;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The per-subtask metrics of {@link HnswIndexFunction}, under the group {@code hnsw}: gauges
 * {@code keys}, {@code liveVectors} and {@code tombstones} over the keys whose graphs are in memory
 * (the cache), {@code bufferedEntries} (graph changes not yet written to state), counters per event
 * kind, rejections, no-op deletes, cache hits/misses and {@code flushedEntries}, and insert
 * and query latency histograms in microseconds. Gauges read volatile totals the task thread
 * maintains, so a reporter thread never walks the cache.
 */
final class OperatorMetrics {
    private static final int HISTOGRAM_WINDOW = 1024;

    private final Counter upserts;
    private final Counter deletes;
    private final Counter noopDeletes;
    private final Counter queries;
    private final Counter rejected;
    private final Counter cacheHits;
    private final Counter cacheMisses;
    private final Counter flushedEntries;
    private final Histogram insertMicros;
    private final Histogram queryMicros;

    private volatile int keys;
    private volatile long liveVectors;
    private volatile long tombstones;
    private volatile long bufferedEntries;

    OperatorMetrics(MetricGroup parent) {
        MetricGroup g = parent.addGroup("hnsw");
        upserts = g.counter("upserts");
        deletes = g.counter("deletes");
        noopDeletes = g.counter("noopDeletes");
        queries = g.counter("queries");
        rejected = g.counter("rejected");
        cacheHits = g.counter("cacheHits");
        cacheMisses = g.counter("cacheMisses");
        flushedEntries = g.counter("flushedEntries");
        insertMicros = g.histogram("insertLatencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        queryMicros = g.histogram("queryLatencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        g.gauge("keys", () -> keys);
        g.gauge("liveVectors", () -> liveVectors);
        g.gauge("tombstones", () -> tombstones);
        g.gauge("bufferedEntries", () -> bufferedEntries);
    }

    void cacheHit() {
        cacheHits.inc();
    }

    void cacheMiss() {
        cacheMisses.inc();
    }

    /** A key's graph entered the cache with these counts. */
    void keyCached(int live, int dead) {
        keys++;
        liveVectors += live;
        tombstones += dead;
    }

    /** A key's graph left the cache with these counts. */
    void keyEvicted(int live, int dead) {
        keys--;
        liveVectors -= live;
        tombstones -= dead;
    }

    void upserted(long micros, int liveDelta, int deadDelta) {
        upserts.inc();
        insertMicros.update(micros);
        liveVectors += liveDelta;
        tombstones += deadDelta;
    }

    void deleted(int liveDelta, int deadDelta) {
        deletes.inc();
        liveVectors += liveDelta;
        tombstones += deadDelta;
    }

    void noopDelete() {
        noopDeletes.inc();
    }

    void queried(long micros) {
        queries.inc();
        queryMicros.update(micros);
    }

    /** Buffered graph entries were written to keyed state; {@code stillBuffered} remain in memory. */
    void flushed(int entries, long stillBuffered) {
        flushedEntries.inc(entries);
        bufferedEntries = stillBuffered;
    }

    void buffered(long entries) {
        bufferedEntries = entries;
    }

    void rejected() {
        rejected.inc();
    }
}
