package io.flinkhnsw.job.pipeline;

import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.operators.RejectedEvent;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Turns an event the index operator refused (e.g. a vector whose dimension differs from its key's
 * index, a payload over the operator's limit) into a dead letter. The original text is not carried
 * through the operator, so {@code raw} is the event re-rendered as JSON; {@code source} still points
 * at the original record.
 */
public class RejectedToDeadLetter implements MapFunction<RejectedEvent, DeadLetter> {
    private static final long serialVersionUID = 1L;

    @Override
    public DeadLetter map(RejectedEvent r) {
        return EventCodec.rejected(r.reason, r.event);
    }
}
