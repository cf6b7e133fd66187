package io.flinkhnsw.job.tools;

import io.flinkhnsw.job.codec.DeadLetter;
import io.flinkhnsw.job.codec.DeadLetterCodec;
import io.flinkhnsw.job.codec.ResultCodec;
import io.flinkhnsw.job.codec.UpdateCodec;
import io.flinkhnsw.job.kafka.KafkaClientConfig;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.SubscriptionUpdate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Reads the results and dead-letter topics (and optionally the updates topic) from the beginning on a background thread, with
 * {@code isolation.level=read_committed} (under exactly-once only committed transactions count).
 * Keeps every result per queryId, so duplicates stay visible, and when each was first seen; and
 * every update per subscriptionId, with when the updates of each cause were read.
 */
public final class OutputReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Map<String, List<QueryResult>> results = new ConcurrentHashMap<>();
    private final Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
    private final List<DeadLetter> deadLetters = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, List<SubscriptionUpdate>> updates = new ConcurrentHashMap<>();
    /** When each update was read (nanoTime), by its cause ("op id"). */
    private final Map<String, List<Long>> updateArrivals = new ConcurrentHashMap<>();
    private volatile Throwable failure;

    public OutputReader(KafkaClientConfig kafka, String resultsTopic, String deadLetterTopic) {
        this(kafka, resultsTopic, deadLetterTopic, null);
    }

    /** Also reads the standing queries' updates from {@code updatesTopic} when it is not null. */
    public OutputReader(KafkaClientConfig kafka, String resultsTopic, String deadLetterTopic, String updatesTopic) {
        consumer = new KafkaConsumer<>(kafka.clientConfig(Map.of(), Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        List<String> topics = new ArrayList<>(List.of(resultsTopic, deadLetterTopic));
        if (updatesTopic != null) {
            topics.add(updatesTopic);
        }
        for (String t : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(t, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + t + " does not exist");
            }
            infos.forEach(i -> parts.add(new TopicPartition(t, i.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(() -> poll(resultsTopic, updatesTopic), "output-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll(String resultsTopic, String updatesTopic) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(resultsTopic)) {
                        QueryResult q = ResultCodec.fromJson(r.value());
                        long now = System.nanoTime();
                        // Result first: a waiter that sees the timestamp must also find the result.
                        results.computeIfAbsent(q.queryId, id -> Collections.synchronizedList(new ArrayList<>())).add(q);
                        firstSeenNanos.putIfAbsent(q.queryId, now);
                    } else if (r.topic().equals(updatesTopic)) {
                        SubscriptionUpdate u = UpdateCodec.fromJson(r.value());
                        long now = System.nanoTime();
                        updates.computeIfAbsent(u.subscriptionId, id -> Collections.synchronizedList(new ArrayList<>())).add(u);
                        if (u.causeId != null) {
                            updateArrivals.computeIfAbsent(causeKey(u.causeOp, u.causeId),
                                    c -> Collections.synchronizedList(new ArrayList<>())).add(now);
                        }
                    } else {
                        deadLetters.add(DeadLetterCodec.fromJson(r.value(),
                                r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8)));
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close();
        }
    }

    /** Every result read so far, by queryId; more than one entry for an id is a duplicate. */
    public Map<String, List<QueryResult>> results() {
        return results;
    }

    /** The single result for a queryId, or null; throws on duplicates. */
    public QueryResult result(String queryId) {
        List<QueryResult> l = results.get(queryId);
        if (l == null) return null;
        if (l.size() > 1) throw new IllegalStateException("query " + queryId + " was answered " + l.size() + " times");
        return l.get(0);
    }

    /** Every update read so far, by subscriptionId, in the order read (one subscription's are in one partition). */
    public Map<String, List<SubscriptionUpdate>> updates() {
        return updates;
    }

    /** When each update caused by the event {@code causeOp} of {@code causeId} was read (nanoTime); empty when none was. */
    public List<Long> updateArrivals(String causeOp, String causeId) {
        List<Long> l = updateArrivals.get(causeKey(causeOp, causeId));
        if (l == null) return List.of();
        synchronized (l) {
            return new ArrayList<>(l);
        }
    }

    private static String causeKey(String causeOp, String causeId) {
        return causeOp + " " + causeId;
    }

    public Long firstSeenNanos(String queryId) {
        return firstSeenNanos.get(queryId);
    }

    public List<DeadLetter> deadLetters() {
        synchronized (deadLetters) {
            return new ArrayList<>(deadLetters);
        }
    }

    /** Waits until {@code done} holds; false on timeout. Rethrows a reader failure. */
    public boolean await(BooleanSupplier done, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (failure != null) throw new IllegalStateException("output reader failed", failure);
            if (done.getAsBoolean()) return true;
            Thread.sleep(50);
        }
        return done.getAsBoolean();
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
    }
}
