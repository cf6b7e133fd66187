package io.flinkhnsw.job.pipeline;

import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.codec.RawRecord;
import io.flinkhnsw.operators.IndexEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns raw Kafka records into {@link IndexEvent}s; anything that does not decode or validate goes to
 * {@link #DEAD_LETTERS} with its reason. A refused query or get with a readable queryId also goes on,
 * as an {@link IndexEvent#refused} event, to the index operator, which answers it with the error on
 * the results topic: through the same operator and transactional sink as every answer (exactly-once,
 * in order with its key's other answers, and without a second input that would break the chain of
 * the index operator and the results sink). Decoding here, not in the Kafka deserializer, is what lets
 * invalid UTF-8 and oversize messages become dead letters instead of failing the source.
 */
public class DecodeFunction extends ProcessFunction<RawRecord, IndexEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };

    private final EventCodec codec;
    private transient Counter decoded;
    private transient Counter rejected;

    public DecodeFunction(EventCodec codec) {
        this.codec = codec;
    }

    @Override
    public void open(OpenContext ctx) {
        decoded = getRuntimeContext().getMetricGroup().counter("eventsDecoded");
        rejected = getRuntimeContext().getMetricGroup().counter("eventsDeadLettered");
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<IndexEvent> out) {
        EventCodec.Decoded d = codec.decode(record);
        if (d.event != null) {
            decoded.inc();
            out.collect(d.event);
        } else {
            rejected.inc();
            ctx.output(DEAD_LETTERS, d.deadLetter);
            if (d.refused != null) {
                out.collect(d.refused);
            }
        }
    }
}
