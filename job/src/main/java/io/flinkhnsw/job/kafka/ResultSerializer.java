package io.flinkhnsw.job.kafka;

import io.flinkhnsw.job.codec.ResultCodec;
import io.flinkhnsw.operators.QueryResult;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Writes a query result as JSON to the results topic, keyed by its queryId. */
public class ResultSerializer implements KafkaRecordSerializationSchema<QueryResult> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public ResultSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(QueryResult r, KafkaSinkContext ctx, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, r.queryId.getBytes(StandardCharsets.UTF_8), ResultCodec.toJson(r));
    }
}
