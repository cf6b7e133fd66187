package io.flinkhnsw.job.tools;

import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.codec.VectorEncoding;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes events to an input topic the way clients should: JSON values keyed by the event's key, so
 * all events of one index land in one partition in order (that order is what gives read-your-writes
 * and a deterministic index). Idempotent producer, so retries never duplicate an event. Vectors are
 * written as JSON arrays or as {@code vector_b64} ({@link VectorEncoding}). Records are batched up
 * to 256 KiB or 5 ms, so a bulk load costs the broker few requests; {@link #flush()} sends at once.
 * Records Kafka finally refused are reported on stderr and counted ({@link #failures()}).
 */
public final class EventWriter implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final VectorEncoding encoding;
    private final AtomicLong failures = new AtomicLong();

    public EventWriter(KafkaClientConfig kafka, String topic) {
        this(kafka, topic, VectorEncoding.JSON);
    }

    public EventWriter(KafkaClientConfig kafka, String topic, VectorEncoding encoding) {
        this.topic = topic;
        this.encoding = encoding;
        this.producer = new KafkaProducer<>(kafka.clientConfig(
                Map.of(ProducerConfig.LINGER_MS_CONFIG, "5", ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10),
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(1 << 20)),
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    public Future<RecordMetadata> send(IndexEvent e) {
        return sendRaw(e.key.getBytes(StandardCharsets.UTF_8), EventCodec.encode(e, encoding));
    }

    /** Sends arbitrary bytes (key may be null); for bad-input demos and tests. */
    public Future<RecordMetadata> sendRaw(byte[] key, byte[] value) {
        return producer.send(new ProducerRecord<>(topic, key, value), (md, ex) -> {
            if (ex != null) {
                failures.incrementAndGet();
                System.err.println("send to " + topic + " failed: " + ex);
            }
        });
    }

    /** Records whose send failed so far (after the producer's own retries); complete after {@link #flush()}. */
    public long failures() {
        return failures.get();
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
