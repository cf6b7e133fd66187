package io.flinkhnsw.job.pipeline;

import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.codec.RawRecord;
import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.SubscriptionUpdate;
import io.flinkhnsw.operators.ShardedIndex;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming vector index as a dataflow, independent of where events come from and go to:
 * raw records are decoded (bad ones dead-lettered), keyed by index key and applied to that key's
 * HNSW graph, or routed to its shards and merged for a sharded key ({@link ShardedIndex}); query
 * results go to one sink, standing queries' updates to another, dead letters from decoding and from
 * the index to a third. Sources and sinks are passed in, so production wires Kafka and tests can wire others.
 * Operator uids are fixed so savepoints survive changes to the job.
 */
public final class HnswJob {
    private final JobConfig config;
    private final Source<RawRecord, ?, ?> events;
    private final Source<RawRecord, ?, ?> queries;
    private final Sink<QueryResult> results;
    private final Sink<DeadLetter> deadLetters;
    private final Sink<SubscriptionUpdate> updates;

    /** {@code queries} may be null when queries share the events source. */
    public HnswJob(JobConfig config, Source<RawRecord, ?, ?> events, Source<RawRecord, ?, ?> queries,
                   Sink<QueryResult> results, Sink<DeadLetter> deadLetters, Sink<SubscriptionUpdate> updates) {
        this.config = config;
        this.events = events;
        this.queries = queries;
        this.results = results;
        this.deadLetters = deadLetters;
        this.updates = updates;
    }

    /** Adds the dataflow to {@code env} and sets its parallelism and checkpointing from the config. */
    public void build(StreamExecutionEnvironment env) {
        if (config.parallelism > 0) {
            env.setParallelism(config.parallelism);
        }
        if (env.getMaxParallelism() <= 0) {
            // what Flink would choose for this parallelism (128 up to 85), now fixed: shard placement depends on it
            env.setMaxParallelism(KeyGroupRangeAssignment.computeDefaultMaxParallelism(Math.max(1, config.parallelism)));
        }
        env.setBufferTimeout(bufferTimeoutMs(config.delivery));
        // Chained operators hand records on without a serializer copy (Flink copies by default: a
        // reflective RawRecord copy per event, a Kryo copy of each result's neighbour list). Safe here:
        // no function of the job keeps or changes a record it has passed on.
        env.getConfig().enableObjectReuse();
        if (config.checkpointIntervalMs > 0) {
            env.enableCheckpointing(config.checkpointIntervalMs, CheckpointingMode.EXACTLY_ONCE);
        }
        IndexSettings settings = config.indexSettings();
        // Each source is decoded in its own chain, the two decoded streams meet at the keyBy: a union
        // before the decoder would cut the chain and send every raw record over a network edge,
        // where a query waits for the buffer timeout.
        SingleOutputStreamOperator<IndexEvent> decodedEvents = decode(
                env.fromSource(events, WatermarkStrategy.noWatermarks(), "events").uid("events-source"), settings, "");
        DataStream<IndexEvent> valid = intoIndex(decodedEvents, "");
        DataStream<DeadLetter> undecodable = decodedEvents.getSideOutput(DecodeFunction.DEAD_LETTERS);
        if (queries != null) {
            SingleOutputStreamOperator<IndexEvent> decodedQueries = decode(
                    env.fromSource(queries, WatermarkStrategy.noWatermarks(), "queries").uid("queries-source"),
                    settings, "-queries");
            valid = valid.union(intoIndex(decodedQueries, "-queries"));
            undecodable = undecodable.union(decodedQueries.getSideOutput(DecodeFunction.DEAD_LETTERS));
        }
        ShardedIndex index = ShardedIndex.apply(valid.keyBy(new EventKey()), settings,
                config.delivery == DeliveryGuarantee.AT_LEAST_ONCE);
        index.results().sinkTo(results).uid("results-sink").name("results");
        index.updates().sinkTo(updates).uid("updates-sink").name("updates");
        undecodable
                .union(index.rejected().map(new RejectedToDeadLetter())
                        .uid("rejected-to-dead-letter").name("rejected-to-dead-letter"))
                .sinkTo(deadLetters).uid("dead-letter-sink").name("dead-letters");
    }

    private SingleOutputStreamOperator<IndexEvent> decode(DataStream<RawRecord> raw, IndexSettings settings,
                                                          String suffix) {
        return raw.process(new DecodeFunction(new EventCodec(config.maxMessageBytes, settings.validator())))
                .uid("decode" + suffix).name("decode" + suffix);
    }

    /**
     * How long a partly filled network buffer may wait before it is sent, on every edge that does not
     * set its own (under at-least-once the edge into the index and the answers' edge send each record
     * at once). Under at-least-once 10 ms, so dead letters, standing-query updates and sharded answers
     * are not held back by Flink's 100 ms default. Under exactly-once nothing becomes visible before the
     * checkpoint's commit, and a checkpoint barrier flushes the buffers ahead of it, so a shorter wait
     * buys nothing: it keeps Flink's 100 ms, and each task's flusher thread wakes ten times a second
     * instead of a hundred (docs/ARCHITECTURE.md, "The index thread during ingest").
     */
    static long bufferTimeoutMs(DeliveryGuarantee delivery) {
        return delivery == DeliveryGuarantee.EXACTLY_ONCE ? 100 : 10;
    }

    /**
     * The decoded stream as it goes into the index: through {@link FailOnceAfter} when a failure is
     * injected (its count is over all instances). Under at-least-once its records leave at once rather
     * than after the buffer timeout: queries share the edge into the index with upserts, and an answer
     * is visible as soon as it is written. Under exactly-once an answer is visible at the commit of the
     * checkpoint after it, and a barrier flushes the buffers ahead of it, so a record sent at once would
     * be answered in the same checkpoint: there the edge keeps the timeout and hands over whole
     * buffers. A flush per record made every record a hand-off that woke the index again whenever it
     * had caught up, which cost ingest and CPU
     * (docs/ARCHITECTURE.md, "The index thread during ingest").
     */
    private SingleOutputStreamOperator<IndexEvent> intoIndex(SingleOutputStreamOperator<IndexEvent> decoded,
                                                             String suffix) {
        SingleOutputStreamOperator<IndexEvent> out = decoded;
        if (config.injectFailureAfter > 0) {
            out = out.map(new FailOnceAfter(config.injectFailureAfter)).uid("inject-failure" + suffix)
                    .name("inject-failure" + suffix);
        }
        return config.delivery == DeliveryGuarantee.EXACTLY_ONCE ? out : out.setBufferTimeout(0);
    }
}
