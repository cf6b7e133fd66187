package io.flinkhnsw.job.pipeline;

import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.kafka.KafkaIo;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HnswJobTest {
    /** A raw record never crosses a network edge before it is decoded, whether queries have their own topic or not. */
    @Test
    void eachSourceIsDecodedInItsOwnChain() {
        assertThat(vertexNames(null)).anyMatch(n -> n.startsWith("Source: events -> decode"));
        List<String> withQueries = vertexNames("q");
        assertThat(withQueries).anyMatch(n -> n.startsWith("Source: events -> decode"))
                .anyMatch(n -> n.startsWith("Source: queries -> decode-queries"))
                .noneMatch(n -> n.startsWith("decode"));
    }

    private static List<String> vertexNames(String queriesTopic) {
        JobConfig config = JobConfig.builder().bootstrapServers("localhost:9").eventsTopic("e").queriesTopic(queriesTopic)
                .resultsTopic("r").deadLetterTopic("d").updatesTopic("u").groupId("g").parallelism(2)
                .checkpointIntervalMs(1000).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaIo.job(config).build(env);
        List<String> names = new ArrayList<>();
        for (JobVertex v : env.getStreamGraph().getJobGraph().getVertices()) {
            names.add(v.getName());
        }
        return names;
    }
}
