package io.flinkhnsw.job.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Creates the job's topics on a broker if they do not exist yet (replication factor 1: for demos and tests). */
public final class Topics {
    private Topics() {
    }

    public static void create(KafkaClientConfig kafka, int partitions, List<String> names) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig(Map.of(), Map.of()))) {
            for (String n : names) {
                try {
                    admin.createTopics(List.of(new NewTopic(n, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
        }
    }
}
