package io.flinkhnsw.job.kafka;

import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.codec.RawRecord;
import io.flinkhnsw.job.pipeline.HnswJob;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Map;

/**
 * Kafka sources and sinks for {@link HnswJob} from a {@link JobConfig}, with the user's client
 * properties ({@link KafkaClientConfig}) under the settings the guarantees need. Sources start from
 * the group's committed offsets (earliest for a new group) and read only committed records; sinks
 * are transactional under exactly-once, so downstream consumers must read with
 * {@code isolation.level=read_committed} to see each result once.
 */
public final class KafkaIo {
    private KafkaIo() {
    }

    public static HnswJob job(JobConfig c) {
        return new HnswJob(c, source(c, c.eventsTopic), c.queriesTopic == null ? null : source(c, c.queriesTopic),
                sink(c, "results", new ResultSerializer(c.resultsTopic)),
                sink(c, "dead-letters", new DeadLetterSerializer(c.deadLetterTopic)),
                sink(c, "updates", new UpdateSerializer(c.updatesTopic)));
    }

    static KafkaSource<RawRecord> source(JobConfig c, String topic) {
        return KafkaSource.<RawRecord>builder()
                .setProperties(c.kafka.clientProperties(Map.of(), Map.of(
                        "isolation.level", "read_committed",
                        "client.id.prefix", c.groupId + "-" + topic)))
                .setTopics(topic)
                .setGroupId(c.groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer())
                .build();
    }

    static <T> KafkaSink<T> sink(JobConfig c, String what, KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(c.kafka.clientProperties(
                        // at-least-once: an answer leaves at once; exactly-once: it is visible at the
                        // checkpoint's commit anyway, so batching costs no latency
                        Map.of("linger.ms", c.delivery == DeliveryGuarantee.EXACTLY_ONCE ? "20" : "0"),
                        Map.of("transaction.timeout.ms", Long.toString(c.transactionTimeoutMs))))
                .setBootstrapServers(c.kafka.bootstrapServers())
                .setDeliveryGuarantee(c.delivery)
                // Unique per job and output, so two jobs on one cluster never fence each other's transactions.
                .setTransactionalIdPrefix(c.groupId + "-" + what)
                .setRecordSerializer(serializer)
                .build();
    }
}
