package io.flinkhnsw.operators;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;

/**
 * One subtask of {@link HnswIndexFunction} in a keyed operator test harness on RocksDB, with helpers
 * to feed events and drain query results and rejections. {@link #subtaskOf} routes a key the way
 * Flink's keyBy does, so several harnesses together behave like one operator at a parallelism.
 */
final class IndexHarness implements AutoCloseable {
    static final int MAX_PARALLELISM = 128;

    final KeyedOneInputStreamOperatorTestHarness<String, IndexEvent, QueryResult> harness;
    private long time;

    private IndexHarness(IndexSettings settings, int parallelism, int subtask) throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new HnswIndexFunction(settings)), e -> e.key, Types.STRING,
                MAX_PARALLELISM, parallelism, subtask);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    }

    /** A fresh, opened subtask {@code subtask} of {@code parallelism}, restored from {@code state} when not null. */
    static IndexHarness open(IndexSettings settings, int parallelism, int subtask, OperatorSubtaskState state)
            throws Exception {
        IndexHarness h = new IndexHarness(settings, parallelism, subtask);
        if (state == null) {
            h.harness.initializeEmptyState();
        } else {
            h.harness.initializeState(state);
        }
        h.harness.open();
        return h;
    }

    static IndexHarness open(IndexSettings settings) throws Exception {
        return open(settings, 1, 0, null);
    }

    static int subtaskOf(String key, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX_PARALLELISM, parallelism);
    }

    void process(IndexEvent e) throws Exception {
        harness.processElement(new StreamRecord<>(e, time++));
    }

    /** Results emitted since the last call, in order. */
    List<QueryResult> drainResults() {
        List<QueryResult> out = new ArrayList<>(harness.extractOutputValues());
        harness.getOutput().clear();
        return out;
    }

    /** Rejections emitted since the last call, in order. */
    List<RejectedEvent> drainRejected() {
        List<RejectedEvent> out = new ArrayList<>();
        var side = harness.getSideOutput(HnswIndexFunction.REJECTED);
        if (side != null) {
            side.forEach(r -> out.add(r.getValue()));
            side.clear();
        }
        return out;
    }

    /** The answer to one query, which must be the only output it produces. */
    QueryResult ask(IndexEvent query) throws Exception {
        process(query);
        List<QueryResult> out = drainResults();
        if (out.size() != 1) {
            throw new AssertionError("expected one result for " + query + ", got " + out + " / " + drainRejected());
        }
        return out.get(0);
    }

    OperatorSubtaskState snapshot(long checkpointId) throws Exception {
        return harness.snapshot(checkpointId, time);
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
