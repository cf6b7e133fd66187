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
 * One subtask of {@link HnswIndexOperator} (write-back; or the bare {@link HnswIndexFunction} in a
 * plain {@link KeyedProcessOperator}, see {@link #openFunctionOnly}) in a keyed operator test harness
 * on RocksDB, with helpers
 * to feed events and drain query results and rejections. {@link #subtaskOf} routes a key the way
 * Flink's keyBy does, so several harnesses together behave like one operator at a parallelism.
 */
final class IndexHarness implements AutoCloseable {
    static final int MAX_PARALLELISM = 128;

    final KeyedOneInputStreamOperatorTestHarness<String, IndexEvent, QueryResult> harness;
    private long time;

    final KeyedProcessOperator<String, IndexEvent, QueryResult> operator;

    private IndexHarness(KeyedProcessOperator<String, IndexEvent, QueryResult> operator, int parallelism,
                         int subtask) throws Exception {
        this.operator = operator;
        harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, e -> e.key, Types.STRING,
                MAX_PARALLELISM, parallelism, subtask);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    }

    /** A fresh, opened subtask {@code subtask} of {@code parallelism}, restored from {@code state} when not null. */
    static IndexHarness open(IndexSettings settings, int parallelism, int subtask, OperatorSubtaskState state)
            throws Exception {
        return open(new HnswIndexOperator(settings), parallelism, subtask, state);
    }

    /** The function without the write-back operator: flushes its graph changes after every event. */
    static IndexHarness openFunctionOnly(IndexSettings settings) throws Exception {
        return open(new KeyedProcessOperator<>(new HnswIndexFunction(settings)), 1, 0, null);
    }

    static IndexHarness open(KeyedProcessOperator<String, IndexEvent, QueryResult> operator, int parallelism,
                             int subtask, OperatorSubtaskState state) throws Exception {
        IndexHarness h = new IndexHarness(operator, parallelism, subtask);
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

    /** The ids of a result's neighbours, nearest first. */
    static List<String> ids(QueryResult r) {
        return r.neighbours.stream().map(n -> n.id).toList();
    }

    static int subtaskOf(String key, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX_PARALLELISM, parallelism);
    }

    void process(IndexEvent e) throws Exception {
        harness.processElement(new StreamRecord<>(e, time++));
    }

    /** Processes {@code events} in order; returns the query results, and asserts none was rejected. */
    List<QueryResult> feed(List<IndexEvent> events) throws Exception {
        List<QueryResult> out = new ArrayList<>();
        for (IndexEvent e : events) {
            process(e);
            out.addAll(drainResults());
            List<RejectedEvent> rejected = drainRejected();
            if (!rejected.isEmpty()) {
                throw new AssertionError("rejected: " + rejected);
            }
        }
        return out;
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

    /** Standing queries' updates emitted since the last call, in order. */
    List<SubscriptionUpdate> drainUpdates() {
        List<SubscriptionUpdate> out = new ArrayList<>();
        var side = harness.getSideOutput(HnswIndexFunction.UPDATES);
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

    /** A checkpoint as the runtime takes it: prepareSnapshotPreBarrier (the write-back flush), then the snapshot. */
    OperatorSubtaskState snapshot(long checkpointId) throws Exception {
        harness.prepareSnapshotPreBarrier(checkpointId);
        return harness.snapshot(checkpointId, time);
    }

    /** Only the state snapshot, skipping prepareSnapshotPreBarrier: shows what a missing flush would lose. */
    OperatorSubtaskState snapshotWithoutFlush(long checkpointId) throws Exception {
        return harness.snapshot(checkpointId, time);
    }

    HnswIndexFunction function() {
        return (HnswIndexFunction) operator.getUserFunction();
    }

    /** Estimated bytes of changes the operator holds in memory and not yet in keyed state (0 without write-back). */
    long bufferedBytes() {
        return function().bufferedBytes();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
