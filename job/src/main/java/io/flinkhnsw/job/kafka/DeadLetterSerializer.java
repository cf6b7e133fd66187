package io.flinkhnsw.job.kafka;

import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.codec.DeadLetterCodec;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Writes a dead letter as JSON to the dead-letter topic, keyed by the event's key when known. */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext ctx, Long timestamp) {
        byte[] key = d.key == null ? null : d.key.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, timestamp, key, DeadLetterCodec.toJson(d));
    }
}
