package io.flinkhnsw.operators;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The per-subtask metrics of {@link HnswIndexFunction}, under the group {@code hnsw}. Over all the
 * subtask's keys (see {@link KeyStats}): gauges {@code keys}, {@code flatKeys}, {@code graphKeys},
 * {@code liveVectors}, {@code tombstones}. Memory: {@code indexMemoryBytes} (accounted bytes of the
 * keys in memory), {@code indexOffHeapBytes} (direct memory of their int8 graphs' full-precision
 * vectors, bounded apart), {@code indexMemoryBudgetBytes}, {@code cachedKeys}, {@code bufferedBytes}
 * (estimated bytes of changes not yet in state). Counters per event kind, rejections, no-op
 * deletes, cache hits and misses, {@code reloads} (keys brought back from state: header and
 * backlog) and {@code graphLoads} (their graphs, read when an event needs one), with
 * {@code reloadedVectors}, {@code reloadMicros} (total time) and {@code reloadCpuMicros} (the task
 * thread's CPU time in them) over both, {@code evictions},
 * {@code flushedEntries}; standing queries: {@code subscriptions} (of the keys in memory),
 * {@code updates} and {@code recomputes} (searches that refilled a subscription's list) with their
 * rates {@code updatesPerSecond} and {@code recomputesPerSecond}; histograms of insert, query and reload latency in microseconds; and
 * {@code maxEventMicros}, the slowest event since the subtask started. Gauges read volatile values
 * the task thread maintains, so a reporter thread never walks the cache.
 */
final class OperatorMetrics {
    private static final int HISTOGRAM_WINDOW = 1024;

    private final Counter upserts;
    private final Counter deletes;
    private final Counter drops;
    private final Counter noopDeletes;
    private final Counter deferredWrites;
    private final Counter payloadUpdates;
    private final Counter queries;
    private final Counter rejected;
    private final Counter cacheHits;
    private final Counter cacheMisses;
    private final Counter reloads;
    private final Counter graphLoads;
    private final Counter reloadedVectors;
    private final Counter reloadMicros;
    private final Counter reloadCpuMicros;
    private final Counter evictions;
    private final Counter flushedEntries;
    private final Counter updates;
    private final Counter recomputes;
    private final Histogram insertMicros;
    private final Histogram queryMicros;
    private final Histogram reloadLatency;

    private volatile long indexMemoryBytes;
    private volatile long indexOffHeapBytes;
    private volatile int cachedKeys;
    private volatile long bufferedBytes;
    private volatile long maxEventMicros;
    private volatile long subscriptions;

    OperatorMetrics(MetricGroup parent, KeyStats stats, long budgetBytes) {
        MetricGroup g = parent.addGroup("hnsw");
        upserts = g.counter("upserts");
        deletes = g.counter("deletes");
        drops = g.counter("drops");
        noopDeletes = g.counter("noopDeletes");
        deferredWrites = g.counter("deferredWrites");
        payloadUpdates = g.counter("payloadUpdates");
        queries = g.counter("queries");
        rejected = g.counter("rejected");
        cacheHits = g.counter("cacheHits");
        cacheMisses = g.counter("cacheMisses");
        reloads = g.counter("reloads");
        graphLoads = g.counter("graphLoads");
        reloadedVectors = g.counter("reloadedVectors");
        reloadMicros = g.counter("reloadMicros");
        reloadCpuMicros = g.counter("reloadCpuMicros");
        evictions = g.counter("evictions");
        flushedEntries = g.counter("flushedEntries");
        updates = g.counter("updates");
        recomputes = g.counter("recomputes");
        g.meter("updatesPerSecond", new MeterView(updates));
        g.meter("recomputesPerSecond", new MeterView(recomputes));
        g.gauge("subscriptions", () -> subscriptions);
        insertMicros = g.histogram("insertLatencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        queryMicros = g.histogram("queryLatencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        reloadLatency = g.histogram("reloadLatencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        g.gauge("keys", stats::keys);
        g.gauge("flatKeys", stats::flatKeys);
        g.gauge("graphKeys", stats::graphKeys);
        g.gauge("liveVectors", stats::liveVectors);
        g.gauge("tombstones", stats::tombstones);
        g.gauge("indexMemoryBytes", () -> indexMemoryBytes);
        g.gauge("indexOffHeapBytes", () -> indexOffHeapBytes);
        g.gauge("indexMemoryBudgetBytes", () -> budgetBytes);
        g.gauge("cachedKeys", () -> cachedKeys);
        g.gauge("bufferedBytes", () -> bufferedBytes);
        g.gauge("maxEventMicros", () -> maxEventMicros);
    }

    void cacheHit() {
        cacheHits.inc();
    }

    void cacheMiss() {
        cacheMisses.inc();
    }

    /** A key (its header and backlog) or its graph was read back from state. */
    void loaded(boolean graph, int vectors, long nanos, long cpuNanos) {
        long micros = nanos / 1000;
        if (cpuNanos >= 0) {
            reloadCpuMicros.inc(cpuNanos / 1000);
        }
        (graph ? graphLoads : reloads).inc();
        reloadedVectors.inc(vectors);
        reloadMicros.inc(micros);
        reloadLatency.update(micros);
    }

    void evicted(int keys) {
        evictions.inc(keys);
    }

    /** After every event: the cache's state and how long the event took. */
    void afterEvent(IndexCache cache, long micros) {
        indexMemoryBytes = cache.totalBytes();
        indexOffHeapBytes = cache.offHeapBytes();
        cachedKeys = cache.size();
        bufferedBytes = cache.pendingBytes();
        subscriptions = cache.subscriptions();
        if (micros > maxEventMicros) {
            maxEventMicros = micros;
        }
    }

    void upserted(long micros) {
        upserts.inc();
        insertMicros.update(micros);
    }

    void deleted() {
        deletes.inc();
    }

    void dropped() {
        drops.inc();
    }

    /** Writes logged so far instead of loading their key (tests). */
    long deferredWrites() {
        return deferredWrites.getCount();
    }

    /** Keys read back from state so far, graphs not counted (tests). */
    long reloads() {
        return reloads.getCount();
    }

    /** Graphs read back from state so far (tests). */
    long graphLoads() {
        return graphLoads.getCount();
    }

    /** An upsert or delete of a key not in memory was logged instead of loading the key. */
    void deferredWrite() {
        deferredWrites.inc();
    }

    void noopDelete() {
        noopDeletes.inc();
    }

    /** An upsert without a vector replaced a payload. */
    void payloadUpdated() {
        payloadUpdates.inc();
    }

    void queried(long micros) {
        queries.inc();
        queryMicros.update(micros);
    }

    /** Changes were written to keyed state. */
    void flushed(int entries, IndexCache cache) {
        flushedEntries.inc(entries);
        bufferedBytes = cache.pendingBytes();
    }

    /** A standing query's update (or its last message) was emitted. */
    void updated() {
        updates.inc();
    }

    /** A standing query's list was searched afresh (subscribe, followed item moved, list left short). */
    void recomputed() {
        recomputes.inc();
    }

    void rejected() {
        rejected.inc();
    }
}
