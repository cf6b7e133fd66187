package io.flinkhnsw.job.tools;

import io.flinkhnsw.job.Args;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.kafka.Topics;
import io.flinkhnsw.job.local.LocalFlink;
import io.flinkhnsw.operators.QueryResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code java -jar flink-hnsw.jar verify}: checks that a job's output is exact. It reads the results
 * and dead letters with read_committed until the expected number arrived (and a little longer, to
 * catch late duplicates), then replays the same input topic through the same job on an in-process
 * MiniCluster without failures into separate reference topics, and compares: every queryId
 * answered exactly once, each answer equal to the reference one (neighbours, distances, index
 * size), the same dead letters. Prints one JSON line; exits 1 when anything differs.
 */
public final class VerifyCommand {
    private VerifyCommand() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        if (a.flag("help")) {
            System.out.println("usage: java -jar flink-hnsw.jar verify --expect-queries N --expect-dead-letters N"
                    + " [--timeout-s 300] [job options of the job under test]\n" + JobConfig.usage());
            return;
        }
        int expectQueries = a.getInt("expect-queries", -1);
        int expectDead = a.getInt("expect-dead-letters", 0);
        Duration timeout = Duration.ofSeconds(a.getInt("timeout-s", 300));
        JobConfig tested = JobConfig.fromArgs(a, JobConfig.builder()).build();
        a.checkAllUsed();
        if (expectQueries < 1) throw new IllegalArgumentException("--expect-queries is required");

        Map<String, List<QueryResult>> actual;
        List<DeadLetter> actualDead;
        try (OutputReader out = new OutputReader(tested.bootstrapServers, tested.resultsTopic, tested.deadLetterTopic)) {
            boolean all = out.await(() -> out.results().size() >= expectQueries && out.deadLetters().size() >= expectDead, timeout);
            System.err.printf("verify: job under test answered %d/%d queries, %d/%d dead letters%s%n", out.results().size(),
                    expectQueries, out.deadLetters().size(), expectDead, all ? "" : " (timed out)");
            Thread.sleep(3000); // late duplicates would be committed by now (checkpoint interval << 3 s)
            actual = new TreeMap<>(out.results());
            actualDead = out.deadLetters();
        }

        JobConfig reference = tested.toBuilder()
                .groupId("flink-hnsw-verify-" + System.currentTimeMillis())
                .resultsTopic(tested.resultsTopic + "-reference")
                .deadLetterTopic(tested.deadLetterTopic + "-reference")
                .delivery(org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE)
                .checkpointIntervalMs(1000).injectFailureAfter(0).parallelism(2).build();
        Topics.create(reference.bootstrapServers, 2, List.of(reference.resultsTopic, reference.deadLetterTopic));
        Path dir = Files.createTempDirectory("flink-hnsw-verify-");
        Map<String, List<QueryResult>> expected;
        List<DeadLetter> expectedDead;
        try (LocalFlink ref = LocalFlink.start(reference, dir, "flink-hnsw reference");
             OutputReader out = new OutputReader(reference.bootstrapServers, reference.resultsTopic, reference.deadLetterTopic)) {
            boolean all = out.await(() -> {
                ref.checkRunning();
                return out.results().size() >= expectQueries && out.deadLetters().size() >= expectDead;
            }, timeout);
            System.err.printf("verify: reference run answered %d/%d queries%s%n", out.results().size(), expectQueries,
                    all ? "" : " (timed out)");
            expected = new TreeMap<>(out.results());
            expectedDead = out.deadLetters();
        }

        List<String> problems = new ArrayList<>();
        int duplicates = 0;
        int missing = 0;
        int mismatches = 0;
        for (Map.Entry<String, List<QueryResult>> e : expected.entrySet()) {
            List<QueryResult> got = actual.get(e.getKey());
            if (got == null) {
                missing++;
                problems.add("missing " + e.getKey());
                continue;
            }
            if (got.size() > 1) {
                duplicates += got.size() - 1;
                problems.add(e.getKey() + " answered " + got.size() + " times");
            }
            if (!got.get(0).equals(e.getValue().get(0))) {
                mismatches++;
                problems.add(e.getKey() + ": got " + got.get(0) + ", reference " + e.getValue().get(0));
            }
        }
        for (String id : actual.keySet()) {
            if (!expected.containsKey(id)) problems.add("unexpected result " + id);
        }
        boolean deadSame = describe(actualDead).equals(describe(expectedDead));
        if (!deadSame) problems.add("dead letters differ: " + describe(actualDead) + " vs reference " + describe(expectedDead));
        if (expected.size() != expectQueries) problems.add("reference answered " + expected.size() + " of " + expectQueries);
        problems.stream().limit(20).forEach(p -> System.err.println("verify: " + p));
        boolean exact = problems.isEmpty();
        System.out.printf("{\"queries\":%d,\"expected\":%d,\"missing\":%d,\"duplicates\":%d,\"mismatches\":%d,"
                        + "\"dead_letters\":%d,\"exact\":%s}%n", actual.size(), expected.size(), missing, duplicates,
                mismatches, actualDead.size(), exact);
        System.exit(exact ? 0 : 1);
    }

    private static List<String> describe(List<DeadLetter> ds) {
        List<String> l = new ArrayList<>();
        for (DeadLetter d : ds) l.add(d.topic + "/" + d.partition + "/" + d.offset + ": " + d.error);
        l.sort(null);
        return l;
    }
}
