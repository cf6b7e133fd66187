package io.flinkhnsw.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * The keyed HNSW operator jobs should use: {@link HnswIndexFunction} with <em>write-back</em> state.
 * Each event changes only the in-memory working copy of its key's index, and the key's write-back
 * marks which state entries changed; this operator writes the marked entries of every key into
 * keyed state in {@link #prepareSnapshotPreBarrier}, so keyed state is the complete truth in every
 * checkpoint and savepoint, and a restored or rescaled subtask rebuilds each key from it exactly as
 * before. Changes are also written before a key with changes is evicted from the cache, when the
 * subtask's pending bytes exceed {@link IndexSettings#writeBufferBytes()}, and in {@link #finish()}.
 * The rejected-events side output stays {@link HnswIndexFunction#REJECTED}.
 *
 * <p>Why {@code prepareSnapshotPreBarrier} is the right place (checked against Flink 2.2.1,
 * {@code SubtaskCheckpointCoordinatorImpl#checkpointState}): on the task (mailbox) thread, for every
 * checkpoint the task takes, it calls {@code OperatorChain#prepareSnapshotPreBarrier} for all
 * operators, then broadcasts the barrier (aligned or unaligned, the only difference being the
 * {@code isUnalignedCheckpoint} flag of that broadcast), then takes the synchronous part of the
 * operators' snapshots; savepoints go through the same method with a different
 * {@code CheckpointOptions}, and a checkpoint already aborted returns before any of it. No record is
 * processed in between, so what we write here is exactly what the keyed state backend snapshots, and
 * the barrier's position in the output is after every result of the events the flush covers.
 * Writing keyed state there is ordinary state access on the task thread with
 * {@code setCurrentKey} (the mini-batch operators of Flink's table runtime flush their bundles into
 * keyed state the same way). A failure loses the buffers, which is fine: the job restores from the
 * last checkpoint, which contains everything up to its barrier, and replays from there.
 *
 * <p>Unaligned checkpoints persist in-flight records, not operator memory: still correct, since the
 * flush happens before the snapshot. {@code finish()} (end of input, stop-with-savepoint --drain)
 * flushes too, so the final checkpoint that may follow it holds everything.
 */
public class HnswIndexOperator extends KeyedProcessOperator<String, IndexEvent, QueryResult> {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "hnsw-index";
    public static final String UID = "hnsw-index";

    public HnswIndexOperator(IndexSettings settings) {
        this(new HnswIndexFunction(settings));
    }

    /** Hosts {@code function} (or a subclass) with write-back. */
    public HnswIndexOperator(HnswIndexFunction function) {
        super(function);
    }

    /**
     * The HNSW index over {@code events} with write-back state: the single way jobs should wire it.
     * Rejected events: {@code result.getSideOutput(HnswIndexFunction.REJECTED)}.
     */
    public static SingleOutputStreamOperator<QueryResult> apply(KeyedStream<IndexEvent, String> events,
                                                               IndexSettings settings) {
        return events.transform(NAME, TypeInformation.of(QueryResult.class), new HnswIndexOperator(settings))
                .uid(UID).name(NAME);
    }

    private HnswIndexFunction function() {
        return (HnswIndexFunction) userFunction;
    }

    @Override
    public void open() throws Exception {
        function().enableWriteBack(this::runAs);
        super.open();
    }

    /** Scopes keyed state to {@code key} for {@code action}, then back to the key that was current. */
    private void runAs(String key, Runnable action) {
        Object previous = getCurrentKey();
        setCurrentKey(key);
        try {
            action.run();
        } finally {
            if (previous != null) {
                setCurrentKey(previous);
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        function().flushAll();
    }

    @Override
    public void finish() throws Exception {
        function().flushAll();
        super.finish();
    }

    /** Estimated bytes of changes not yet in keyed state (tests, diagnostics). */
    long bufferedBytes() {
        return function().bufferedBytes();
    }
}
