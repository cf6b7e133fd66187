package io.flinkhnsw.operators;

import io.flinkhnsw.operators.state.KeyWriteBack;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stage 3 of a sharded key's queries, keyed by merge key: holds the router's {@link ShardedQuery}
 * and the shards' partial results until all partials are there, then emits exactly one answer under
 * the asker's queryId and key: the global k nearest (distance, then id, so ties are broken the same
 * way whatever the shards' order), the examples left out, {@code indexSize} summed over the shards,
 * the slowest shard's {@code tookMicros}, and the vote over the merged neighbours; an error of any
 * shard (the lowest shard's) is the answer instead. A get has one partial and is passed on.
 *
 * <p>The queries in flight live on the heap and are written to operator state only at a checkpoint
 * (a union list, so a restore at another parallelism gives each subtask the merge keys of its key
 * groups): keyed state would cost a dozen RocksDB and changelog writes per query for entries that
 * live a millisecond. A restore neither loses nor repeats an answer. A query still incomplete
 * {@value #INCOMPLETE_AFTER_MS} ms after a part of it arrived is reported once
 * ({@code incompleteQueries}, a warning) and kept waiting, never dropped or answered twice.
 * {@code pendingMerges}: queries in flight; {@code mergeLatencyMicros}: the time the merge adds once
 * the last part arrives; {@code mergeCpuMicros}: the task thread's CPU time in it.
 */
public class ShardMergeFunction extends KeyedCoProcessFunction<String, ShardedQuery, QueryResult, QueryResult>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ShardMergeFunction.class);
    static final long INCOMPLETE_AFTER_MS = 60_000;
    static final String PENDING_STATE = "shard-merge-pending";
    private static final int HISTOGRAM_WINDOW = 10_000;
    private static final Comparator<Neighbour> NEAREST =
            Comparator.<Neighbour>comparingDouble(n -> n.distance).thenComparing(n -> n.id);

    /** A query in flight: what has arrived of it, and since when (processing time, ms). */
    public static class Pending {
        public String mergeKey;
        /** Null until the router's part arrives. */
        public ShardedQuery query;
        public List<QueryResult> parts = new ArrayList<>();
        public long since;
        public boolean reported;

        public Pending() {
        }

        Pending(String mergeKey, long since) {
            this.mergeKey = mergeKey;
            this.since = since;
        }

        boolean complete() {
            return query != null && parts.size() == query.partials;
        }
    }

    private transient Map<String, Pending> pending;
    private transient ListState<Pending> checkpointed;
    /** When this instance's next check on incomplete queries fires; 0 when none is registered. */
    private transient long nextCheck;
    private transient Histogram mergeMicros;
    private transient Histogram mergeCpuMicros;
    private transient Counter incomplete;
    private transient Counter merged;

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pending = new HashMap<>();
        checkpointed = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(PENDING_STATE, TypeInformation.of(Pending.class)));
        if (context.isRestored()) {
            var task = getRuntimeContext().getTaskInfo();
            int maxParallelism = task.getMaxNumberOfParallelSubtasks();
            for (Pending p : checkpointed.get()) {
                int group = KeyGroupRangeAssignment.assignToKeyGroup(p.mergeKey, maxParallelism);
                if (KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(maxParallelism,
                        task.getNumberOfParallelSubtasks(), group) == task.getIndexOfThisSubtask()) {
                    pending.put(p.mergeKey, p);
                }
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        checkpointed.update(new ArrayList<>(pending.values()));
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("hnsw");
        mergeMicros = g.histogram("mergeLatencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        mergeCpuMicros = g.histogram("mergeCpuMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        incomplete = g.counter("incompleteQueries");
        merged = g.counter("mergedQueries");
        g.gauge("pendingMerges", (Gauge<Integer>) this::inFlight);
    }

    /** Queries in flight on this subtask. */
    int inFlight() {
        return pending.size();
    }

    @Override
    public void processElement1(ShardedQuery q, Context ctx, Collector<QueryResult> out) {
        long wallStart = System.nanoTime();
        long cpuStart = KeyWriteBack.cpuNanos();
        Pending p = pendingOf(q.mergeKey, ctx);
        p.query = q;
        completeIfAll(p, out, wallStart, cpuStart);
    }

    @Override
    public void processElement2(QueryResult partial, Context ctx, Collector<QueryResult> out) {
        long wallStart = System.nanoTime();
        long cpuStart = KeyWriteBack.cpuNanos();
        Pending p = pendingOf(partial.queryId, ctx);
        p.parts.add(partial);
        completeIfAll(p, out, wallStart, cpuStart);
    }

    private Pending pendingOf(String mergeKey, Context ctx) {
        Pending p = pending.get(mergeKey);
        if (p == null) {
            long now = ctx.timerService().currentProcessingTime();
            p = new Pending(mergeKey, now);
            pending.put(mergeKey, p);
            if (nextCheck == 0) {
                // one check per subtask at a time, under the key at hand: the check looks at every query in flight
                nextCheck = checkTime(now);
                ctx.timerService().registerProcessingTimeTimer(nextCheck);
            }
        }
        return p;
    }

    /** A whole second past the report time, so checks registered within a second share their time. */
    private static long checkTime(long now) {
        return (now / 1000 + 1) * 1000 + INCOMPLETE_AFTER_MS;
    }

    /** Emits the one answer of {@code p} when all its parts are in, and forgets it. */
    private void completeIfAll(Pending p, Collector<QueryResult> out, long wallStart, long cpuStart) {
        if (!p.complete()) {
            assert p.query == null || p.parts.size() < p.query.partials : p.parts.size() + " parts for " + p.query;
            return;
        }
        pending.remove(p.mergeKey);
        out.collect(merge(p.query, p.parts));
        merged.inc();
        mergeMicros.update((System.nanoTime() - wallStart) / 1000);
        if (cpuStart >= 0) {
            mergeCpuMicros.update((KeyWriteBack.cpuNanos() - cpuStart) / 1000);
        }
    }

    /**
     * Reports the queries in flight for {@value #INCOMPLETE_AFTER_MS} ms or more, once each, and
     * checks again while any is in flight. Timers restored from a checkpoint land here too.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<QueryResult> out) {
        long now = ctx.timerService().currentProcessingTime();
        for (Pending p : pending.values()) {
            if (!p.reported && now - p.since >= INCOMPLETE_AFTER_MS) {
                p.reported = true;
                incomplete.inc();
                LOG.warn("sharded query {} incomplete after {} ms: {} of {} partial results; still waiting",
                        p.query == null ? p.mergeKey : p.query, now - p.since, p.parts.size(),
                        p.query == null ? "?" : p.query.partials);
            }
        }
        if (timestamp == nextCheck) {
            nextCheck = 0;
        }
        if (nextCheck == 0 && !pending.isEmpty()) {
            nextCheck = checkTime(now);
            ctx.timerService().registerProcessingTimeTimer(nextCheck);
        }
    }

    /** The one answer of {@code q} from all its parts. */
    static QueryResult merge(ShardedQuery q, List<QueryResult> parts) {
        parts.sort(Comparator.comparingInt(p -> ShardKeys.shardNumberOf(p.key)));
        for (QueryResult p : parts) {
            if (p.error != null || p.get) {
                p.queryId = q.queryId;
                p.key = q.key;
                return p;
            }
        }
        Set<String> examples = Set.of(q.examples);
        List<Neighbour> all = new ArrayList<>();
        int indexSize = 0;
        long took = 0;
        for (QueryResult p : parts) {
            for (Neighbour n : p.neighbours) {
                if (!examples.contains(n.id)) {
                    all.add(n);
                }
            }
            indexSize += p.indexSize;
            took = Math.max(took, p.tookMicros);
        }
        all.sort(NEAREST);
        List<Neighbour> nearest = new ArrayList<>(all.subList(0, Math.min(q.k, all.size())));
        QueryResult r = new QueryResult(q.queryId, q.key, nearest, indexSize, took);
        r.vote = q.vote == null ? null : KnnVote.of(q.vote, nearest);
        return r;
    }
}
