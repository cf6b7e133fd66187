package io.flinkhnsw.job.tools;

import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.cli.JobOptions;
import io.flinkhnsw.job.cli.KafkaOptions;
import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.kafka.Topics;
import io.flinkhnsw.job.local.LocalFlink;
import io.flinkhnsw.operators.QueryResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code java -jar flink-hnsw.jar verify}: checks that a job's output is exact. It reads the results
 * and dead letters with read_committed until the expected number arrived (and a little longer, to
 * catch late duplicates), then replays the same input topic through the same job on an in-process
 * MiniCluster without failures into separate reference topics, and compares: every queryId
 * answered exactly once, each answer equal to the reference one (neighbours, distances, index
 * size), the same dead letters. Prints one JSON line; exits 1 when anything differs.
 */
@Command(name = "verify", description = "read results with read_committed and compare them with a no-failure reference run",
        sortOptions = false, mixinStandardHelpOptions = true, showDefaultValues = true)
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--expect-queries", required = true, paramLabel = "N", description = "queries the input holds")
    int expectQueries;
    @Option(names = "--expect-dead-letters", paramLabel = "N", description = "bad events the input holds")
    int expectDead;
    @Option(names = "--timeout-s", paramLabel = "S", description = "how long to wait for each run's output")
    int timeoutSeconds = 300;
    @Mixin
    KafkaOptions kafka;
    @Mixin
    JobOptions job;

    @Override
    public Integer call() throws Exception {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        JobConfig tested = job.toConfig(kafka, JobConfig.DEFAULT_BOOTSTRAP_SERVERS);
        Map<String, List<QueryResult>> actual;
        List<DeadLetter> actualDead;
        try (OutputReader out = new OutputReader(tested.kafka, tested.resultsTopic, tested.deadLetterTopic)) {
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
        Topics.create(reference.kafka, 2, List.of(reference.resultsTopic, reference.deadLetterTopic));
        Path dir = Files.createTempDirectory("flink-hnsw-verify-");
        Map<String, List<QueryResult>> expected;
        List<DeadLetter> expectedDead;
        try (LocalFlink ref = LocalFlink.start(reference, dir, "flink-hnsw reference");
             OutputReader out = new OutputReader(reference.kafka, reference.resultsTopic, reference.deadLetterTopic)) {
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
        return exact ? Cli.OK : Cli.FAILURE;
    }

    private static List<String> describe(List<DeadLetter> ds) {
        List<String> l = new ArrayList<>();
        for (DeadLetter d : ds) l.add(d.topic + "/" + d.partition + "/" + d.offset + ": " + d.error);
        l.sort(null);
        return l;
    }
}
