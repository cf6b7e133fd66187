package io.flinkhnsw.job.kafka;

import io.flinkhnsw.job.codec.UpdateCodec;
import io.flinkhnsw.operators.SubscriptionUpdate;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Writes a standing query's update as JSON to the updates topic, keyed by its subscriptionId. */
public class UpdateSerializer implements KafkaRecordSerializationSchema<SubscriptionUpdate> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public UpdateSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(SubscriptionUpdate u, KafkaSinkContext ctx, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, u.subscriptionId.getBytes(StandardCharsets.UTF_8),
                UpdateCodec.toJson(u));
    }
}
