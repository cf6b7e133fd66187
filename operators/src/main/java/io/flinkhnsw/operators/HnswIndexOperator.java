package io.flinkhnsw.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * The keyed HNSW operator jobs should use: {@link HnswIndexFunction} with <em>write-back</em> state.
 * Events change only the in-memory working copy of their key's index, and the key's write-back marks
 * which state entries changed; this operator writes the marked entries of every key into keyed
 * state in {@link #prepareSnapshotPreBarrier} and {@link #finish()}, so keyed state is complete in
 * every checkpoint and savepoint and a restored or rescaled subtask rebuilds each key exactly.
 * Changes are also written before a key with changes is evicted from memory and when the subtask's
 * pending bytes exceed {@link IndexSettings#writeBufferBytes()}. Rejected events:
 * {@link HnswIndexFunction#REJECTED}. Why this is safe: docs/ARCHITECTURE.md, "Write-back and
 * checkpoints".
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
        return apply(events, new HnswIndexFunction(settings), UID);
    }

    /** {@code function} over {@code events} with write-back, as operator {@code uid} (also its name). */
    static SingleOutputStreamOperator<QueryResult> apply(KeyedStream<IndexEvent, String> events,
                                                        HnswIndexFunction function, String uid) {
        return events.transform(uid, TypeInformation.of(QueryResult.class), new HnswIndexOperator(function))
                .uid(uid).name(uid);
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
