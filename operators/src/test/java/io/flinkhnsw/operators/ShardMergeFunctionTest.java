package io.flinkhnsw.operators;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merge alone: one answer per query whatever the order of its parts, the global k nearest with
 * ties broken by id, example ids left out, sizes summed; a query missing a part past the check time
 * is kept, not dropped, and answered once when the part comes, also across a snapshot and restore;
 * a query in flight at a snapshot is restored on the subtask of its key group only.
 */
class ShardMergeFunctionTest {
    private static final String MERGE_KEY = "0@big";

    @Test
    void mergesPartsInAnyOrderOnceAndKeepsWaitingForAMissingOne() throws Exception {
        ShardedQuery q = new ShardedQuery(MERGE_KEY, "big", IndexEvent.queryById("big", "q-1", "x", 3, 0),
                new String[] {"x"}, 2);
        QueryResult shard0 = partial(0, 5, new Neighbour("x", 0f, null), new Neighbour("b", 0.5f, null),
                new Neighbour("d", 0.7f, null));
        QueryResult shard1 = partial(1, 4, new Neighbour("a", 0.5f, null), new Neighbour("c", 0.6f, null));
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(new StreamRecord<>(shard1, 1));
            h.processElement1(new StreamRecord<>(q, 2));
            h.setProcessingTime(ShardMergeFunction.INCOMPLETE_AFTER_MS + 5_000);
            assertThat(h.extractOutputValues()).as("still waiting for shard 0").isEmpty();
            var snapshot = h.snapshot(1L, 3);
            try (var restored = harness()) {
                restored.initializeState(snapshot);
                restored.open();
                restored.processElement2(new StreamRecord<>(shard0, 4));
                restored.setProcessingTime(3 * ShardMergeFunction.INCOMPLETE_AFTER_MS);
                List<QueryResult> out = restored.extractOutputValues();
                assertThat(out).hasSize(1);
                QueryResult r = out.get(0);
                assertThat(r.queryId).isEqualTo("q-1");
                assertThat(r.key).isEqualTo("big");
                assertThat(IndexHarness.ids(r)).as("k 3, x left out, a before b at the same distance")
                        .containsExactly("a", "b", "c");
                assertThat(r.indexSize).isEqualTo(9);
            }
        }
    }

    @Test
    void aQueryInFlightMovesWithItsKeyGroupOnRescale() throws Exception {
        ShardedQuery q = new ShardedQuery(MERGE_KEY, "big", IndexEvent.query("big", "q-2", new float[] {1}, 2, 0),
                new String[0], 2);
        QueryResult shard0 = partial(0, 5, new Neighbour("b", 0.5f, null));
        QueryResult shard1 = partial(1, 4, new Neighbour("a", 0.4f, null));
        OperatorSubtaskState snapshot;
        try (var h = harness(1, 0)) {
            h.open();
            h.processElement1(new StreamRecord<>(q, 1));
            h.processElement2(new StreamRecord<>(shard1, 2));
            snapshot = h.snapshot(1L, 3);
        }
        int owner = IndexHarness.subtaskOf(MERGE_KEY, 2);
        for (int subtask = 0; subtask < 2; subtask++) {
            ShardMergeFunction merge = new ShardMergeFunction();
            try (var restored = harness(merge, 2, subtask)) {
                restored.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot,
                        IndexHarness.MAX_PARALLELISM, 1, 2, subtask));
                restored.open();
                if (subtask != owner) {
                    assertThat(merge.inFlight()).as("subtask %d does not own the query's key group", subtask).isZero();
                    continue;
                }
                assertThat(merge.inFlight()).isEqualTo(1);
                restored.processElement2(new StreamRecord<>(shard0, 4));
                assertThat(restored.extractOutputValues()).singleElement().satisfies(r -> {
                    assertThat(r.queryId).isEqualTo("q-2");
                    assertThat(IndexHarness.ids(r)).containsExactly("a", "b");
                });
                assertThat(merge.inFlight()).isZero();
            }
        }
    }

    private static QueryResult partial(int shard, int size, Neighbour... neighbours) {
        return new QueryResult(MERGE_KEY, "big#" + shard + ".7", new ArrayList<>(List.of(neighbours)), size, 10);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, ShardedQuery, QueryResult, QueryResult> harness()
            throws Exception {
        return harness(1, 0);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, ShardedQuery, QueryResult, QueryResult> harness(
            int parallelism, int subtask) throws Exception {
        return harness(new ShardMergeFunction(), parallelism, subtask);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, ShardedQuery, QueryResult, QueryResult> harness(
            ShardMergeFunction merge, int parallelism, int subtask) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(merge),
                (ShardedQuery s) -> s.mergeKey, (QueryResult r) -> r.queryId, Types.STRING,
                IndexHarness.MAX_PARALLELISM, parallelism, subtask);
    }
}
