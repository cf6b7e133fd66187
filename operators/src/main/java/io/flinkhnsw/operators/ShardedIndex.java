package io.flinkhnsw.operators;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The index as jobs wire it, sharded keys included: stage 1 ({@code hnsw-index},
 * {@link ShardRouterFunction}) is the index of unsharded keys and the router of sharded ones; stage 2
 * ({@code hnsw-shards}) is the same index operator keyed by shard sub-key; stage 3 ({@code hnsw-merge},
 * {@link ShardMergeFunction}) is keyed by merge key and answers each sharded query once. All three
 * always exist, so a job can start or stop sharding keys without a change of topology. Results: stage
 * 1's answers and the merged ones; rejected events: both index stages', under the key the event was
 * sent with. Needs the job's max parallelism set: shard placement depends on it.
 * See docs/ARCHITECTURE.md, "Sharded keys".
 */
public final class ShardedIndex {
    public static final String SHARDS_UID = "hnsw-shards";
    public static final String MERGE_UID = "hnsw-merge";
    public static final String ANSWERS_UID = "hnsw-answers";

    private final DataStream<QueryResult> results;
    private final DataStream<RejectedEvent> rejected;
    private final DataStream<SubscriptionUpdate> updates;

    private ShardedIndex(DataStream<QueryResult> results, DataStream<RejectedEvent> rejected,
                         DataStream<SubscriptionUpdate> updates) {
        this.results = results;
        this.rejected = rejected;
        this.updates = updates;
    }

    /**
     * The index over {@code events}, keyed by index key. With {@code immediateAnswers} an unsharded
     * key's answer leaves for the results at once instead of after the buffer timeout: lower latency,
     * at a cost in CPU per answer when queries come fast (for at-least-once delivery; under
     * exactly-once an answer waits for the checkpoint's commit anyway).
     */
    public static ShardedIndex apply(KeyedStream<IndexEvent, String> events, IndexSettings settings,
                                     boolean immediateAnswers) {
        if (events.getExecutionEnvironment().getMaxParallelism() <= 0) {
            throw new IllegalStateException("set the job's max parallelism: shard placement depends on it");
        }
        SingleOutputStreamOperator<QueryResult> stage1 =
                HnswIndexOperator.apply(events, new ShardRouterFunction(settings), HnswIndexOperator.UID);
        SingleOutputStreamOperator<QueryResult> shards = HnswIndexOperator.apply(
                stage1.getSideOutput(ShardRouterFunction.SHARD_EVENTS).keyBy(e -> e.key, Types.STRING),
                new HnswIndexFunction(settings), SHARDS_UID);
        SingleOutputStreamOperator<QueryResult> merged = stage1.getSideOutput(ShardRouterFunction.SHARDED_QUERIES)
                .keyBy(q -> q.mergeKey, Types.STRING)
                .connect(shards.keyBy(r -> r.queryId, Types.STRING))
                .process(new ShardMergeFunction(), TypeInformation.of(QueryResult.class))
                .uid(MERGE_UID).name(MERGE_UID);
        DataStream<RejectedEvent> rejected = stage1.getSideOutput(HnswIndexFunction.REJECTED)
                .union(shards.getSideOutput(HnswIndexFunction.REJECTED).map(new Unshard())
                        .uid("hnsw-shards-rejected").name("hnsw-shards-rejected"));
        // subscriptions live with unsharded keys only (a subscribe on a sharded key is refused), so only stage 1 has updates
        // The results sink has two inputs, so it never chains: an unsharded key's answer crosses an edge
        // of its own here, which may send each record at once. Only answers take this edge (stage 1's
        // side outputs keep the timeout: routed upserts and standing-query updates are many), and the
        // merge's output keeps it too (docs/ARCHITECTURE.md, "The latency budget").
        SingleOutputStreamOperator<QueryResult> answers = stage1.map(new Answer()).returns(stage1.getType())
                .uid(ANSWERS_UID).name(ANSWERS_UID);
        if (immediateAnswers) {
            answers.setBufferTimeout(0);
        }
        return new ShardedIndex(answers.union(merged), rejected, stage1.getSideOutput(HnswIndexFunction.UPDATES));
    }

    /** Every answer: unsharded keys' and merged ones. */
    public DataStream<QueryResult> results() {
        return results;
    }

    /** Standing queries' updates. */
    public DataStream<SubscriptionUpdate> updates() {
        return updates;
    }

    /** Events the index refused, with reasons. */
    public DataStream<RejectedEvent> rejected() {
        return rejected;
    }

    /** Passes an answer on unchanged: gives stage 1's answers an output edge of their own ({@link #apply}). */
    private static final class Answer implements MapFunction<QueryResult, QueryResult> {
        @Override
        public QueryResult map(QueryResult result) {
            return result;
        }
    }

    /** A shard's refused event under the key it was sent with. */
    private static final class Unshard implements MapFunction<RejectedEvent, RejectedEvent> {
        @Override
        public RejectedEvent map(RejectedEvent r) {
            r.event.key = ShardKeys.keyOf(r.event.key);
            return r;
        }
    }
}
