package io.flinkhnsw.operators;

import io.flinkhnsw.operators.state.KeyWriteBack;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Stage 3 of a sharded key's queries, keyed by merge key: keeps the router's {@link ShardedQuery}
 * and the shards' partial results in keyed state until all partials are there, then emits exactly
 * one answer under the asker's queryId and key: the global k nearest (distance, then id, so ties
 * are broken the same way whatever the shards' order), the examples left out, {@code indexSize}
 * summed over the shards, the slowest shard's {@code tookMicros}, and the vote over the merged
 * neighbours; an error of any shard (the lowest shard's) is the answer instead. A get has one
 * partial and is passed on. State is checkpointed, so a restore neither loses nor repeats an
 * answer. A query still incomplete {@value #INCOMPLETE_AFTER_MS} ms after a part of it arrived is
 * reported ({@code incompleteQueries}, a warning) and kept waiting, never dropped or answered twice.
 * {@code mergeLatencyMicros}: the time the merge adds once the last part arrives;
 * {@code mergeCpuMicros}: the task thread's CPU time in it (what it costs on a busy machine).
 */
public class ShardMergeFunction extends KeyedCoProcessFunction<String, ShardedQuery, QueryResult, QueryResult> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ShardMergeFunction.class);
    static final long INCOMPLETE_AFTER_MS = 60_000;
    private static final int HISTOGRAM_WINDOW = 10_000;
    private static final Comparator<Neighbour> NEAREST =
            Comparator.<Neighbour>comparingDouble(n -> n.distance).thenComparing(n -> n.id);

    private transient ValueState<ShardedQuery> query;
    private transient ListState<QueryResult> partials;
    private transient Histogram mergeMicros;
    private transient Histogram mergeCpuMicros;
    private transient Counter incomplete;
    private transient Counter merged;

    @Override
    public void open(OpenContext openContext) {
        query = getRuntimeContext().getState(new ValueStateDescriptor<>("shard-merge-query",
                TypeInformation.of(ShardedQuery.class)));
        partials = getRuntimeContext().getListState(new ListStateDescriptor<>("shard-merge-partials",
                TypeInformation.of(QueryResult.class)));
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("hnsw");
        mergeMicros = g.histogram("mergeLatencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        mergeCpuMicros = g.histogram("mergeCpuMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        incomplete = g.counter("incompleteQueries");
        merged = g.counter("mergedQueries");
    }

    @Override
    public void processElement1(ShardedQuery q, Context ctx, Collector<QueryResult> out) throws Exception {
        long wallStart = System.nanoTime();
        long cpuStart = KeyWriteBack.cpuNanos();
        List<QueryResult> parts = new ArrayList<>(q.partials);
        partials.get().forEach(parts::add);
        if (parts.size() == q.partials) {
            answer(q, parts, out, wallStart, cpuStart);
        } else {
            q.checkAt = checkTime(ctx);
            ctx.timerService().registerProcessingTimeTimer(q.checkAt);
            query.update(q);
        }
    }

    @Override
    public void processElement2(QueryResult partial, Context ctx, Collector<QueryResult> out) throws Exception {
        long wallStart = System.nanoTime();
        long cpuStart = KeyWriteBack.cpuNanos();
        ShardedQuery q = query.value();
        List<QueryResult> parts = new ArrayList<>();
        partials.get().forEach(parts::add);
        parts.add(partial);
        if (q != null && parts.size() == q.partials) {
            ctx.timerService().deleteProcessingTimeTimer(q.checkAt);
            answer(q, parts, out, wallStart, cpuStart);
            return;
        }
        partials.add(partial);
        if (q == null && parts.size() == 1) {
            // a part before the query: checked on too (the timer finds nothing once the query is answered)
            ctx.timerService().registerProcessingTimeTimer(checkTime(ctx));
        }
    }

    /** A whole second, so the parts arriving before their query share one timer per second. */
    private static long checkTime(Context ctx) {
        return (ctx.timerService().currentProcessingTime() / 1000 + 1) * 1000 + INCOMPLETE_AFTER_MS;
    }

    /** Emits the one answer of {@code q} and clears its state. */
    private void answer(ShardedQuery q, List<QueryResult> parts, Collector<QueryResult> out, long wallStart,
                        long cpuStart) {
        assert parts.size() == q.partials : parts.size() + " parts for " + q;
        out.collect(merge(q, parts));
        query.clear();
        partials.clear();
        merged.inc();
        mergeMicros.update((System.nanoTime() - wallStart) / 1000);
        if (cpuStart >= 0) {
            mergeCpuMicros.update((KeyWriteBack.cpuNanos() - cpuStart) / 1000);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<QueryResult> out) throws Exception {
        ShardedQuery q = query.value();
        int parts = 0;
        for (QueryResult ignored : partials.get()) {
            parts++;
        }
        if (q != null || parts > 0) {
            incomplete.inc();
            LOG.warn("sharded query {} incomplete after {} ms: {} of {} partial results; still waiting",
                    q == null ? ctx.getCurrentKey() : q, INCOMPLETE_AFTER_MS, parts, q == null ? "?" : q.partials);
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
