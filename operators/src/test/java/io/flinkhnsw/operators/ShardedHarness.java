package io.flinkhnsw.operators;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;

/**
 * The three stages of {@link ShardedIndex} at one parallelism, each subtask in a RocksDB operator
 * test harness: events go to the router subtask keyBy would pick, its shard events to the shard
 * subtasks of their sub-keys, the partial results and sharded queries to the merge subtasks of their
 * merge keys, all in emission order (so every channel is FIFO, as in Flink). {@link #feed} returns
 * the answers in order; {@link #snapshot} and {@link #open} with state restore the whole index at
 * another parallelism with Flink's key-group repartitioning.
 */
final class ShardedHarness implements AutoCloseable {
    /** Each stage's subtask states, combined over subtasks. */
    record Snapshot(OperatorSubtaskState router, OperatorSubtaskState shards, OperatorSubtaskState merge, int parallelism) {
    }

    private final List<IndexHarness> routers = new ArrayList<>();
    private final List<IndexHarness> shards = new ArrayList<>();
    private final List<KeyedTwoInputStreamOperatorTestHarness<String, ShardedQuery, QueryResult, QueryResult>> merges =
            new ArrayList<>();
    /** Every (sub-key, event) the routers sent, in order. */
    final List<IndexEvent> shardEvents = new ArrayList<>();
    private long time;

    /** The index at {@code parallelism}, restored from {@code from} (any parallelism) unless null. */
    static ShardedHarness open(IndexSettings settings, int parallelism, Snapshot from) throws Exception {
        ShardedHarness h = new ShardedHarness();
        for (int i = 0; i < parallelism; i++) {
            h.routers.add(IndexHarness.open(new HnswIndexOperator(new ShardRouterFunction(settings)), parallelism, i,
                    from == null ? null : part(from.router, from.parallelism, parallelism, i)));
            h.shards.add(IndexHarness.open(settings, parallelism, i,
                    from == null ? null : part(from.shards, from.parallelism, parallelism, i)));
            var merge = new KeyedTwoInputStreamOperatorTestHarness<>(
                    new KeyedCoProcessOperator<>(new ShardMergeFunction()), (ShardedQuery q) -> q.mergeKey,
                    (QueryResult r) -> r.queryId, Types.STRING, IndexHarness.MAX_PARALLELISM, parallelism, i);
            merge.setStateBackend(new EmbeddedRocksDBStateBackend());
            if (from == null) {
                merge.initializeEmptyState();
            } else {
                merge.initializeState(part(from.merge, from.parallelism, parallelism, i));
            }
            merge.open();
            h.merges.add(merge);
        }
        return h;
    }

    private static OperatorSubtaskState part(OperatorSubtaskState packed, int from, int to, int subtask) {
        return AbstractStreamOperatorTestHarness.repartitionOperatorState(packed, IndexHarness.MAX_PARALLELISM, from,
                to, subtask);
    }

    /** Processes {@code events} in order through all stages; returns the answers, asserting none was refused. */
    List<QueryResult> feed(List<IndexEvent> events) throws Exception {
        List<QueryResult> out = new ArrayList<>();
        for (IndexEvent e : events) {
            out.addAll(process(e));
        }
        return out;
    }

    List<QueryResult> process(IndexEvent e) throws Exception {
        IndexHarness router = routers.get(IndexHarness.subtaskOf(e.key, routers.size()));
        router.process(e);
        List<QueryResult> out = new ArrayList<>(router.drainResults());
        assertNoneRefused(router);
        var queries = router.harness.getSideOutput(ShardRouterFunction.SHARDED_QUERIES);
        if (queries != null) {
            for (var q : queries) {
                merge(q.getValue().mergeKey).processElement1(new StreamRecord<>(q.getValue(), time++));
            }
            queries.clear();
        }
        var routed = router.harness.getSideOutput(ShardRouterFunction.SHARD_EVENTS);
        if (routed != null) {
            for (var r : routed) {
                IndexEvent se = r.getValue();
                shardEvents.add(se);
                IndexHarness shard = shards.get(IndexHarness.subtaskOf(se.key, shards.size()));
                shard.process(se);
                assertNoneRefused(shard);
                for (QueryResult partial : shard.drainResults()) {
                    merge(partial.queryId).processElement2(new StreamRecord<>(partial, time++));
                }
            }
            routed.clear();
        }
        for (var m : merges) {
            out.addAll(m.extractOutputValues());
            m.getOutput().clear();
        }
        return out;
    }

    private static void assertNoneRefused(IndexHarness h) {
        List<RejectedEvent> rejected = h.drainRejected();
        if (!rejected.isEmpty()) {
            throw new AssertionError("rejected: " + rejected);
        }
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, ShardedQuery, QueryResult, QueryResult> merge(String mergeKey) {
        return merges.get(IndexHarness.subtaskOf(mergeKey, merges.size()));
    }

    /** The subtask holding shard sub-key {@code subKey}. */
    int subtaskOf(String subKey) {
        return IndexHarness.subtaskOf(subKey, shards.size());
    }

    Snapshot snapshot(long checkpointId) throws Exception {
        List<OperatorSubtaskState> r = new ArrayList<>();
        List<OperatorSubtaskState> s = new ArrayList<>();
        List<OperatorSubtaskState> m = new ArrayList<>();
        for (int i = 0; i < routers.size(); i++) {
            r.add(routers.get(i).snapshot(checkpointId));
            s.add(shards.get(i).snapshot(checkpointId));
            m.add(merges.get(i).snapshot(checkpointId, time));
        }
        return new Snapshot(AbstractStreamOperatorTestHarness.repackageState(r.toArray(OperatorSubtaskState[]::new)),
                AbstractStreamOperatorTestHarness.repackageState(s.toArray(OperatorSubtaskState[]::new)),
                AbstractStreamOperatorTestHarness.repackageState(m.toArray(OperatorSubtaskState[]::new)), routers.size());
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < routers.size(); i++) {
            routers.get(i).close();
            shards.get(i).close();
            merges.get(i).close();
        }
    }
}
