package io.flinkhnsw.job.it;

import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.kafka.Topics;

import java.util.List;

/** Test job configurations: fresh topics and group per test, parallelism 2, fast checkpoints. */
final class Jobs {
    private Jobs() {
    }

    static JobConfig.Builder config(String name) throws Exception {
        JobConfig.Builder b = JobConfig.builder()
                .bootstrapServers(SharedKafka.bootstrap())
                .eventsTopic(name + "-events").resultsTopic(name + "-results").deadLetterTopic(name + "-dead-letters")
                .updatesTopic(name + "-updates")
                .groupId(name).parallelism(2).checkpointIntervalMs(500).transactionTimeoutMs(60_000);
        JobConfig c = b.build();
        Topics.create(c.kafka, 2, List.of(c.eventsTopic, c.resultsTopic, c.deadLetterTopic, c.updatesTopic));
        return b;
    }
}
