package io.flinkhnsw.job.tools;

import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.kafka.KafkaClientConfig;
import io.flinkhnsw.operators.IndexEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Writes events to an input topic the way clients should: JSON values keyed by the event's key, so
 * all events of one index land in one partition in order (that order is what gives read-your-writes
 * and a deterministic index). Idempotent producer, so retries never duplicate an event.
 */
public final class EventWriter implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public EventWriter(KafkaClientConfig kafka, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(kafka.clientConfig(
                Map.of(ProducerConfig.LINGER_MS_CONFIG, "5", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(1 << 20)),
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    public Future<RecordMetadata> send(IndexEvent e) {
        return sendRaw(e.key.getBytes(StandardCharsets.UTF_8), EventCodec.encode(e).getBytes(StandardCharsets.UTF_8));
    }

    /** Sends arbitrary bytes (key may be null); for bad-input demos and tests. */
    public Future<RecordMetadata> sendRaw(byte[] key, byte[] value) {
        return producer.send(new ProducerRecord<>(topic, key, value), (md, ex) -> {
            if (ex != null) {
                System.err.println("send to " + topic + " failed: " + ex);
            }
        });
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
