package io.flinkhnsw.job.cli;

import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.Quantization;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.KeyOverrides;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.configuration.MemorySize;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * The job options of {@link JobConfig} as a picocli mixin, shared by {@code cluster-job},
 * {@code local} and {@code verify}. Each command passes the defaults it runs with (local: 1 s
 * checkpoints, parallelism 2), which {@code --help} shows.
 */
public final class JobOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--events-topic", paramLabel = "NAME", description = "upserts, deletes and queries")
    String eventsTopic;
    @Option(names = "--queries-topic", paramLabel = "NAME", description = "optional separate topic for queries")
    String queriesTopic;
    @Option(names = "--results-topic", paramLabel = "NAME", description = "query results")
    String resultsTopic;
    @Option(names = "--dead-letter-topic", paramLabel = "NAME", description = "rejected events with the reason")
    String deadLetterTopic;
    @Option(names = "--updates-topic", paramLabel = "NAME",
            description = "standing queries' updates (record key = subscriptionId)")
    String updatesTopic;
    @Option(names = "--group-id", paramLabel = "ID",
            description = "consumer group, also the prefix of the sink's transactional ids (wins over a group.id property)")
    String groupId;
    @Option(names = "--delivery", paramLabel = "MODE", description = "exactly-once | at-least-once")
    String delivery;
    @Option(names = "--metric", paramLabel = "l2|ip|cosine", description = "distance of new keys' indexes")
    String metric;
    @Option(names = "--m", paramLabel = "N", description = "HNSW links per node")
    int m;
    @Option(names = "--ef-construction", paramLabel = "N", description = "build beam width")
    int efConstruction;
    @Option(names = "--ef", paramLabel = "N",
            description = "default query beam width; 0 = dynamic per query: max(" + HnswConfig.DYNAMIC_EF_FACTOR + "k, "
                    + HnswConfig.DYNAMIC_EF_MIN + "), at most " + HnswConfig.DYNAMIC_EF_MAX + " (never below k)")
    int ef;
    @Option(names = "--seed", paramLabel = "N", description = "level-draw seed")
    long seed;
    @Option(names = "--quantization", paramLabel = "none|int8",
            description = "how new keys' graphs store the vectors they walk: floats, or int8 codes re-ranked with floats kept off the heap")
    String quantization;
    @Option(names = "--key-overrides", paramLabel = "SPEC",
            description = "per key prefix, e.g. 'img-:metric=cosine,m=32;big-:ef=128,max-vectors=50000000' (longest prefix wins)")
    String keyOverrides;
    @Option(names = "--key-overrides-file", paramLabel = "FILE",
            description = "per key prefix overrides as JSON or YAML (see README); --key-overrides wins for the same prefix")
    Path keyOverridesFile;
    @Option(names = "--index-memory", paramLabel = "SIZE",
            description = "heap for the keys' indexes per subtask, e.g. 512m, 2g (default: a third of the heap / task slots)")
    String indexMemory;
    @Option(names = "--write-buffer", paramLabel = "SIZE",
            description = "changes a subtask holds before writing them to state ahead of a checkpoint")
    String writeBuffer;
    @Option(names = "--max-vectors-per-key", paramLabel = "N",
            description = "larger keys are refused (their new upserts dead-lettered); 0 = as many as fit --index-memory")
    long maxVectorsPerKey;
    @Option(names = "--max-payload-bytes", paramLabel = "N", description = "largest payload stored with a vector")
    int maxPayloadBytes;
    @Option(names = "--filter-fields", paramLabel = "SPEC",
            description = "payload fields queries may filter on, indexed in memory, e.g. 'color:keyword,price:number,in_stock:bool'"
                    + " (dotted paths for nested fields; per prefix: filter-fields in --key-overrides)")
    String filterFields;
    @Option(names = "--parallelism", paramLabel = "N", description = "operator parallelism, 0 = cluster default")
    int parallelism;
    @Option(names = "--shards", paramLabel = "N",
            description = "shards each new key is split over (1 = none; per prefix: shards in --key-overrides);"
                    + " a key keeps the count it was created with")
    int shards;
    @Option(names = "--checkpoint-interval-ms", paramLabel = "N", description = "checkpoint interval")
    long checkpointIntervalMs;
    @Option(names = "--max-message-bytes", paramLabel = "N", description = "larger events are dead-lettered")
    int maxMessageBytes;
    @Option(names = "--max-ef", paramLabel = "N", description = "largest ef a query may ask for (at most 100000)")
    int maxEf;
    @Option(names = "--transaction-timeout-ms", paramLabel = "N",
            description = "Kafka transaction timeout under exactly-once; at most the broker's transaction.max.timeout.ms")
    long transactionTimeoutMs;

    private final JobConfig defaults;

    public JobOptions() {
        this(JobConfig.builder().build());
    }

    /** Options whose defaults are {@code defaults}' values. */
    public JobOptions(JobConfig defaults) {
        this.defaults = defaults;
        eventsTopic = defaults.eventsTopic;
        queriesTopic = defaults.queriesTopic;
        resultsTopic = defaults.resultsTopic;
        deadLetterTopic = defaults.deadLetterTopic;
        updatesTopic = defaults.updatesTopic;
        groupId = defaults.groupId;
        delivery = JobConfig.deliveryName(defaults.delivery);
        metric = defaults.hnsw.metric().cliName();
        m = defaults.hnsw.m();
        efConstruction = defaults.hnsw.efConstruction();
        ef = defaults.hnsw.defaultEf();
        seed = defaults.hnsw.seed();
        quantization = defaults.hnsw.quantization().cliName();
        indexMemory = defaults.indexMemoryBytes == 0 ? null : Long.toString(defaults.indexMemoryBytes);
        writeBuffer = defaults.writeBufferBytes % (1 << 20) == 0 ? (defaults.writeBufferBytes >> 20) + "m"
                : Long.toString(defaults.writeBufferBytes);
        maxVectorsPerKey = defaults.maxVectorsPerKey;
        maxPayloadBytes = defaults.maxPayloadBytes;
        filterFields = defaults.filterFields.isEmpty() ? null : defaults.filterFields.toString();
        parallelism = defaults.parallelism;
        shards = defaults.shards;
        checkpointIntervalMs = defaults.checkpointIntervalMs;
        maxMessageBytes = defaults.maxMessageBytes;
        maxEf = defaults.maxEf;
        transactionTimeoutMs = defaults.transactionTimeoutMs;
    }

    /**
     * The job configuration these options and {@code kafka} describe; {@code fallbackBootstrap} when
     * neither {@code --bootstrap-servers} nor a bootstrap.servers property is given.
     *
     * @throws IllegalArgumentException when a value is invalid
     */
    public JobConfig toConfig(KafkaOptions kafka, String fallbackBootstrap) {
        HnswConfig hnsw = defaults.hnsw.withMetric(Metric.parse(metric)).withM(m).withEfConstruction(efConstruction)
                .withDefaultEf(ef).withSeed(seed)
                .withQuantization(Quantization.parse(quantization));
        boolean groupGiven = command.commandLine().getParseResult().hasMatchedOption("--group-id");
        return defaults.toBuilder()
                .bootstrapServers(kafka.bootstrapServers(fallbackBootstrap))
                .kafkaProperties(kafka.clientProperties())
                .eventsTopic(eventsTopic).queriesTopic(queriesTopic).resultsTopic(resultsTopic)
                .deadLetterTopic(deadLetterTopic).updatesTopic(updatesTopic)
                .groupId(kafka.groupId(groupId, groupGiven))
                .delivery(JobConfig.parseDelivery(delivery))
                .hnsw(hnsw)
                .keyOverrides(KeyOverrides.resolve(keyOverrides, keyOverridesFile, hnsw))
                .indexMemoryBytes(indexMemory == null ? 0 : memorySize("--index-memory", indexMemory))
                .writeBufferBytes(memorySize("--write-buffer", writeBuffer)).maxVectorsPerKey(maxVectorsPerKey)
                .maxPayloadBytes(maxPayloadBytes).filterFields(FilterFields.parse(filterFields)).parallelism(parallelism)
                .shards(shards).checkpointIntervalMs(checkpointIntervalMs).maxMessageBytes(maxMessageBytes).maxEf(maxEf)
                .transactionTimeoutMs(transactionTimeoutMs)
                .build();
    }

    /** A size in Flink's memory-size syntax (bytes, or with a unit: 512k, 256m, 1g). */
    static long memorySize(String option, String value) {
        try {
            return MemorySize.parse(value).getBytes();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " needs a size like 512m or 2g, got '" + value + "'");
        }
    }
}
