package io.flinkhnsw.job.it;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.codec.VectorEncoding;
import io.flinkhnsw.job.local.LocalFlink;
import io.flinkhnsw.job.pipeline.FailOnceAfter;
import io.flinkhnsw.job.tools.EventPlan;
import io.flinkhnsw.job.tools.EventWriter;
import io.flinkhnsw.job.tools.OutputReader;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.SubscriptionUpdate;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once across a failure, and the two vector encodings giving the same answers: a multi-key
 * stream of upserts, deletes, interleaved queries, the other query forms (by id, by examples with a
 * vote, get after a payload-only update, an unknown id, a refused query), standing queries (by vector,
 * following an id that is deleted, unsubscribed) and bad events, with vectors as
 * {@code vector_b64}, is processed by a job that fails once mid-stream (after checkpoints have
 * completed); the same stream with JSON vectors by an unsharded reference job without failure. With
 * read_committed, the failed job's output equals the reference exactly: every query answered once
 * with the same neighbours, distances and index size, the same dead letters, and every subscription's
 * updates once, in order, with the same neighbours and sequence numbers 0, 1, 2, .... The failing job
 * runs once with unsharded keys and once with every key in two shards (at 400 vectors a shard is
 * flat, so exact, and the merged answers equal the unsharded ones; subscriptions on sharded keys are
 * refused, so that run has none).
 */
@ExtendWith(SharedKafka.class)
class ExactlyOnceRecoveryTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "shards {0}")
    @ValueSource(ints = {1, 2})
    void injectedFailureLeavesTheOutputExact(int shards) throws Exception {
        JobConfig failing = Jobs.config("eo-" + shards).delivery(DeliveryGuarantee.EXACTLY_ONCE)
                .checkpointIntervalMs(300).injectFailureAfter(700).shards(shards).build();
        JobConfig reference = Jobs.config("eo-reference-" + shards).injectFailureAfter(0).build();
        int subscriptionsPerKey = shards == 1 ? 2 : 0;
        ClusteredDataset data = new ClusteredDataset(16, 8, 0.3f, 11);
        float[][] base = data.next(1200);
        float[][] queries = data.next(50);
        EventPlan plan = EventPlan.of(base, queries, 3, 20, 60, 5, 10, subscriptionsPerKey, VectorEncoding.B64);
        EventPlan jsonPlan = EventPlan.of(base, queries, 3, 20, 60, 5, 10, subscriptionsPerKey, VectorEncoding.JSON);

        FailOnceAfter.reset();
        Map<String, List<QueryResult>> got;
        Map<String, List<SubscriptionUpdate>> gotUpdates;
        List<DeadLetter> gotDead;
        int restored;
        try (LocalFlink flink = LocalFlink.start(failing, dir.resolve("failing"), "eo-failing");
             OutputReader out = new OutputReader(failing.kafka, failing.resultsTopic, failing.deadLetterTopic,
                     failing.updatesTopic);
             EventWriter in = new EventWriter(failing.kafka, failing.eventsTopic)) {
            // Running and checkpointing first, then paced: the failure comes after completed checkpoints,
            // so recovery restores one rather than starting over.
            assertThat(out.await(() -> flink.completedCheckpoints() >= 1, Duration.ofMinutes(1))).isTrue();
            for (EventPlan.Item it : plan.items) {
                in.sendRaw(it.key, it.value);
                Thread.sleep(1);
            }
            in.flush();
            assertThat(out.await(() -> {
                flink.checkRunning();
                return allOut(out, plan);
            }, Duration.ofMinutes(3))).as("all answers after the failure").isTrue();
            Thread.sleep(2000); // duplicates, if any, would be committed by now
            got = new TreeMap<>(out.results());
            gotUpdates = new TreeMap<>(out.updates());
            gotDead = out.deadLetters();
            restored = flink.restoredCheckpoints();
        }
        assertThat(FailOnceAfter.hasFailed()).as("the failure was injected").isTrue();
        assertThat(restored).as("recovery restored a checkpoint").isGreaterThanOrEqualTo(1);

        Map<String, List<QueryResult>> expected;
        Map<String, List<SubscriptionUpdate>> expectedUpdates;
        List<DeadLetter> expectedDead;
        try (EventWriter in = new EventWriter(reference.kafka, reference.eventsTopic)) {
            jsonPlan.items.forEach(it -> in.sendRaw(it.key, it.value));
        }
        try (LocalFlink flink = LocalFlink.start(reference, dir.resolve("reference"), "eo-reference");
             OutputReader out = new OutputReader(reference.kafka, reference.resultsTopic, reference.deadLetterTopic,
                     reference.updatesTopic)) {
            assertThat(out.await(() -> {
                flink.checkRunning();
                return allOut(out, plan);
            }, Duration.ofMinutes(3))).as("all reference answers").isTrue();
            expected = new TreeMap<>(out.results());
            expectedUpdates = new TreeMap<>(out.updates());
            expectedDead = out.deadLetters();
        }

        assertThat(got.values()).as("each query answered exactly once").allSatisfy(l -> assertThat(l).hasSize(1));
        assertThat(got.keySet()).hasSize(plan.queries).isEqualTo(expected.keySet());
        for (String id : expected.keySet()) {
            assertThat(got.get(id).get(0)).as(id).isEqualTo(expected.get(id).get(0));
        }
        assertThat(got.get("final-0-0").get(0).indexSize).as("index size after the deletes").isEqualTo(400 - 20);
        // the other query forms, answered after the restore as by the reference
        assertThat(got.get("by-id-0").get(0).neighbours).hasSize(10).noneMatch(n -> n.id.equals("v1199"));
        assertThat(got.get("like-0").get(0).vote.value).isNotNull();
        assertThat(got.get("get-0").get(0).payload).isEqualTo("{\"row\":1199,\"updated\":true}");
        assertThat(got.get("deleted-id").get(0).error).isEqualTo("unknown id: v0");
        assertThat(got.get("refused").get(0).error).startsWith("k is 0");
        assertThat(describe(gotDead)).hasSize(plan.bad).isEqualTo(describe(expectedDead));

        // standing queries: every update once, in order, with the same neighbours and sequence numbers
        assertThat(gotUpdates.keySet()).hasSize(plan.subscriptions).isEqualTo(expectedUpdates.keySet());
        for (String id : expectedUpdates.keySet()) {
            List<SubscriptionUpdate> updates = gotUpdates.get(id);
            assertThat(updates).as(id).isEqualTo(expectedUpdates.get(id));
            for (int i = 0; i < updates.size(); i++) {
                assertThat(updates.get(i).sequence).as(id).isEqualTo(i);
            }
        }
        if (plan.subscriptions > 0) {
            assertThat(last(gotUpdates, "follow-0").ended).isEqualTo("item deleted");
            assertThat(last(gotUpdates, "sub-1-0").ended).isEqualTo("unsubscribed");
            assertThat(last(gotUpdates, "sub-1-1").neighbours).hasSize(6);
            assertThat(gotUpdates.get("sub-2-1")).as("updated along the stream").hasSizeGreaterThan(3);
        }
    }

    /** Every answer, dead letter and last update of the plan is out. */
    private static boolean allOut(OutputReader out, EventPlan plan) {
        long ended = out.updates().values().stream()
                .filter(l -> !l.isEmpty() && l.get(l.size() - 1).ended != null).count();
        return out.results().size() >= plan.queries && out.deadLetters().size() >= plan.bad
                && (plan.subscriptions == 0 || ended >= 2 * 3);
    }

    private static SubscriptionUpdate last(Map<String, List<SubscriptionUpdate>> updates, String id) {
        List<SubscriptionUpdate> l = updates.get(id);
        return l.get(l.size() - 1);
    }

    private static List<String> describe(List<DeadLetter> ds) {
        return ds.stream().map(d -> d.partition + "/" + d.offset + " " + d.error).sorted().collect(Collectors.toList());
    }
}
