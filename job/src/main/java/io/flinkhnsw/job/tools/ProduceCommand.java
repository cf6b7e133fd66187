package io.flinkhnsw.job.tools;

import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.cli.KafkaOptions;
import io.flinkhnsw.job.codec.VectorEncoding;
import io.flinkhnsw.job.kafka.KafkaClientConfig;
import io.flinkhnsw.job.kafka.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code java -jar flink-hnsw.jar produce}: writes an {@link EventPlan} built from fvecs files to the
 * events topic at a given rate, with progress on stderr and, at the end, one JSON line on stdout
 * saying how many queries and bad events were sent (what {@code verify} should expect back). With
 * {@code --soak-events} it writes the chaos test's seeded random stream ({@link EventPlan#soak}).
 * Exits 1 if Kafka did not acknowledge every record.
 */
@Command(name = "produce", description = "write fvecs vectors (and queries) as JSON events to a Kafka topic",
        sortOptions = false, mixinStandardHelpOptions = true, showDefaultValues = true)
public final class ProduceCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;
    @Option(names = "--topic", paramLabel = "NAME", description = "events topic")
    String topic = JobConfig.DEFAULT_EVENTS_TOPIC;
    @Option(names = "--results-topic", paramLabel = "NAME", description = "created with --create-topics")
    String resultsTopic = JobConfig.DEFAULT_RESULTS_TOPIC;
    @Option(names = "--dead-letter-topic", paramLabel = "NAME", description = "created with --create-topics")
    String deadLetterTopic = JobConfig.DEFAULT_DEAD_LETTER_TOPIC;
    @Option(names = "--updates-topic", paramLabel = "NAME", description = "created with --create-topics")
    String updatesTopic = JobConfig.DEFAULT_UPDATES_TOPIC;
    @Option(names = "--base", paramLabel = "FILE.fvecs", description = "vectors to upsert (required unless --only-create-topics)")
    Path base;
    @Option(names = "--queries", paramLabel = "FILE.fvecs", description = "query vectors (default: the base vectors)")
    Path queries;
    @Option(names = "--keys", paramLabel = "N", description = "partition keys shop-0..shop-N-1")
    int keys = 4;
    @Option(names = "--query-every", paramLabel = "N", description = "a query after every N upserts, 0 = none")
    int queryEvery = 50;
    @Option(names = "--deletes", paramLabel = "N", description = "delete the first N ids after the upserts")
    int deletes = 100;
    @Option(names = "--final-queries", paramLabel = "N", description = "queries per key at the end")
    int finalQueries = 10;
    @Option(names = "--k", paramLabel = "N", description = "neighbours per query")
    int k = 10;
    @Option(names = "--limit", paramLabel = "N", description = "use only the first N base vectors (default: all)")
    Integer limit;
    @Option(names = "--soak-events", paramLabel = "N",
            description = "write a seeded random soak stream of N events over --keys keys and --big-keys graph keys"
                    + " (upserts, replacing upserts, payload updates, deletes, queries, gets, bad events; the chaos test) instead"
                    + " of the fixed plan; 0 = the fixed plan")
    int soakEvents;
    @Option(names = "--big-keys", paramLabel = "N", description = "soak: keys big-0..big-N-1 grown past the flat limit into graphs")
    int bigKeys = 2;
    @Option(names = "--sharded-keys", paramLabel = "N",
            description = "soak: keys sharded-0..sharded-N-1 grown to --soak-shards times a big key (run them in that many shards)")
    int shardedKeys;
    @Option(names = "--soak-shards", paramLabel = "N", description = "soak: the shards the job runs sharded-* keys in")
    int soakShards = 2;
    @Option(names = "--seed", paramLabel = "N", description = "soak: seed of the random stream")
    long seed = 1;
    @Option(names = "--vector-encoding", paramLabel = "json|b64",
            description = "vectors as JSON arrays ('vector') or base64 of little-endian float32 ('vector_b64')")
    VectorEncoding vectorEncoding = VectorEncoding.JSON;
    @Option(names = "--rate", paramLabel = "N", description = "records per second, 0 = as fast as possible")
    double rate;
    @Option(names = "--create-topics", arity = "0..1", paramLabel = "true|false", description = "create events, results, dead-letter and updates topics (2 partitions)")
    boolean createTopics;
    @Option(names = "--only-create-topics", arity = "0..1", paramLabel = "true|false", description = "create the topics and send nothing")
    boolean onlyCreateTopics;

    @Override
    public Integer call() throws Exception {
        KafkaClientConfig client = kafka.client(JobConfig.DEFAULT_BOOTSTRAP_SERVERS);
        List<String> topics = List.of(topic, resultsTopic, deadLetterTopic, updatesTopic);
        if (onlyCreateTopics) {
            Topics.create(client, 2, topics);
            return Cli.OK;
        }
        if (base == null) {
            throw new IllegalArgumentException("--base is required");
        }
        float[][] vectors = Fvecs.readFloats(base);
        float[][] queryVectors = queries == null ? vectors : Fvecs.readFloats(queries);
        if (limit != null && limit < vectors.length) vectors = Arrays.copyOf(vectors, limit);
        EventPlan plan = soakEvents > 0
                ? EventPlan.soak(vectors, queryVectors, keys, bigKeys, shardedKeys, soakShards, soakEvents, seed, k,
                        vectorEncoding)
                : EventPlan.of(vectors, queryVectors, keys, queryEvery, deletes, finalQueries, k, vectorEncoding);
        if (createTopics) {
            Topics.create(client, 2, topics);
        }
        long pace = rate > 0 ? (long) (1e9 / rate) : 0;
        long next = System.nanoTime();
        long start = next;
        long failed;
        try (EventWriter w = new EventWriter(client, topic)) {
            for (int i = 0; i < plan.items.size(); i++) {
                if (pace > 0) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    next += pace;
                }
                EventPlan.Item it = plan.items.get(i);
                w.sendRaw(it.key, it.value);
                if ((i + 1) % 1000 == 0) {
                    System.err.printf("produce: %d/%d records (%.1f s)%n", i + 1, plan.items.size(), (System.nanoTime() - start) / 1e9);
                }
            }
            w.flush();
            failed = w.failures();
        }
        System.out.printf("{\"records\":%d,\"upserts\":%d,\"replaces\":%d,\"deletes\":%d,\"queries\":%d,\"bad\":%d,"
                        + "\"failed\":%d}%n", plan.items.size(), plan.upserts, plan.replaces, plan.deletes, plan.queries,
                plan.bad, failed);
        return failed == 0 ? Cli.OK : Cli.FAILURE;
    }
}
