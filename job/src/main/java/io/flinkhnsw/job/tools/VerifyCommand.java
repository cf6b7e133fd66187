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
 * size), the same dead letters. Prints one JSON line; exits 1 when anything differs. The reference
 * can instead be a run that already wrote to other topics ({@code --reference-results-topic}), and
 * {@code --await-only} just waits for the job's output to be complete (the chaos test uses both).
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
    @Option(names = "--reference-results-topic", paramLabel = "NAME",
            description = "compare with the results of a reference run that already ran into this topic (e.g. on a cluster)"
                    + " instead of running one in-process; needs --reference-dead-letter-topic")
    String referenceResultsTopic;
    @Option(names = "--reference-dead-letter-topic", paramLabel = "NAME", description = "that reference run's dead letters")
    String referenceDeadLetterTopic;
    @Option(names = "--await-only", arity = "0..1", paramLabel = "true|false",
            description = "only wait until the job's expected output is committed; exit 0 if it all came in time")
    boolean awaitOnly;
    @Mixin
    KafkaOptions kafka;
    @Mixin
    JobOptions job;

    @Override
    public Integer call() throws Exception {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        JobConfig tested = job.toConfig(kafka, JobConfig.DEFAULT_BOOTSTRAP_SERVERS);
        if ((referenceResultsTopic == null) != (referenceDeadLetterTopic == null)) {
            throw new IllegalArgumentException("--reference-results-topic and --reference-dead-letter-topic go together");
        }
        Output actual = read(tested, "job under test", timeout, () -> { }, true);
        if (awaitOnly) {
            boolean complete = actual.results.size() >= expectQueries && actual.deadLetters.size() >= expectDead;
            System.out.printf("{\"queries\":%d,\"answers\":%d,\"dead_letters\":%d,\"complete\":%s}%n",
                    actual.results.size(), actual.answers(), actual.deadLetters.size(), complete);
            return complete ? Cli.OK : Cli.FAILURE;
        }
        Output expected = referenceResultsTopic != null
                ? read(tested.toBuilder().resultsTopic(referenceResultsTopic).deadLetterTopic(referenceDeadLetterTopic).build(),
                        "reference run", timeout, () -> { }, false)
                : runReference(tested, timeout);

        List<String> problems = new ArrayList<>();
        int duplicates = 0;
        int missing = 0;
        int mismatches = 0;
        for (Map.Entry<String, List<QueryResult>> e : expected.results.entrySet()) {
            List<QueryResult> got = actual.results.get(e.getKey());
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
        for (String id : actual.results.keySet()) {
            if (!expected.results.containsKey(id)) problems.add("unexpected result " + id);
        }
        boolean deadSame = describe(actual.deadLetters).equals(describe(expected.deadLetters));
        if (!deadSame) {
            problems.add("dead letters differ: " + describe(actual.deadLetters) + " vs reference " + describe(expected.deadLetters));
        }
        if (expected.results.size() != expectQueries) problems.add("reference answered " + expected.results.size() + " of " + expectQueries);
        problems.stream().limit(20).forEach(p -> System.err.println("verify: " + p));
        boolean exact = problems.isEmpty();
        System.out.printf("{\"queries\":%d,\"expected\":%d,\"answers\":%d,\"missing\":%d,\"duplicates\":%d,\"mismatches\":%d,"
                        + "\"dead_letters\":%d,\"dead_letters_identical\":%s,\"exact\":%s}%n", actual.results.size(),
                expected.results.size(), actual.answers(), missing, duplicates, mismatches, actual.deadLetters.size(),
                deadSame, exact);
        return exact ? Cli.OK : Cli.FAILURE;
    }

    /** Replays the tested job's input on an in-process MiniCluster without failures, into reference topics. */
    private Output runReference(JobConfig tested, Duration timeout) throws Exception {
        JobConfig reference = tested.toBuilder()
                .groupId("flink-hnsw-verify-" + System.currentTimeMillis())
                .resultsTopic(tested.resultsTopic + "-reference")
                .deadLetterTopic(tested.deadLetterTopic + "-reference")
                .delivery(org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE)
                .checkpointIntervalMs(1000).injectFailureAfter(0).parallelism(2).build();
        Topics.create(reference.kafka, 2, List.of(reference.resultsTopic, reference.deadLetterTopic));
        Path dir = Files.createTempDirectory("flink-hnsw-verify-");
        try (LocalFlink ref = LocalFlink.start(reference, dir, "flink-hnsw reference")) {
            return read(reference, "reference run", timeout, ref::checkRunning, false);
        }
    }

    /**
     * A job's committed output once the expected counts arrived (or the timeout passed); with
     * {@code linger} read 3 s longer, since late duplicates would be committed by then (checkpoint
     * interval much shorter). {@code check} runs on every poll and may throw to give up early.
     */
    private Output read(JobConfig config, String label, Duration timeout, Runnable check, boolean linger)
            throws InterruptedException {
        try (OutputReader out = new OutputReader(config.kafka, config.resultsTopic, config.deadLetterTopic)) {
            boolean all = out.await(() -> {
                check.run();
                return out.results().size() >= expectQueries && out.deadLetters().size() >= expectDead;
            }, timeout);
            System.err.printf("verify: %s answered %d/%d queries, %d/%d dead letters%s%n", label, out.results().size(),
                    expectQueries, out.deadLetters().size(), expectDead, all ? "" : " (timed out)");
            if (linger) Thread.sleep(3000);
            return new Output(new TreeMap<>(out.results()), out.deadLetters());
        }
    }

    /** Results by queryId (more than one per id: duplicates) and dead letters as read. */
    private record Output(Map<String, List<QueryResult>> results, List<DeadLetter> deadLetters) {
        int answers() {
            return results.values().stream().mapToInt(List::size).sum();
        }
    }

    private static List<String> describe(List<DeadLetter> ds) {
        List<String> l = new ArrayList<>();
        for (DeadLetter d : ds) l.add(d.topic + "/" + d.partition + "/" + d.offset + ": " + d.error);
        l.sort(null);
        return l;
    }
}
