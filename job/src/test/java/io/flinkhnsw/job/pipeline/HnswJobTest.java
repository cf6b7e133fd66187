package io.flinkhnsw.job.pipeline;

import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.kafka.KafkaIo;
import io.flinkhnsw.operators.HnswIndexOperator;
import io.flinkhnsw.operators.ShardedIndex;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
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

    /**
     * Under at-least-once an unsharded key's answer is sent to the results sink at once, not after the
     * buffer timeout; under exactly-once (visible at the commit anyway) it waits like everything else,
     * and everything waits up to 100 ms rather than 10. The index's other outputs (routed upserts,
     * standing-query updates, rejects) keep the timeout.
     */
    @Test
    void underAtLeastOnceOnlyAnswersLeaveTheIndexWithoutWaitingForTheBufferTimeout() {
        assertThat(outputTimeouts(ShardedIndex.ANSWERS_UID, DeliveryGuarantee.AT_LEAST_ONCE)).containsExactly(0L);
        assertThat(outputTimeouts(ShardedIndex.ANSWERS_UID, DeliveryGuarantee.EXACTLY_ONCE)).containsExactly(100L);
        assertThat(outputTimeouts(HnswIndexOperator.UID, DeliveryGuarantee.AT_LEAST_ONCE))
                .hasSizeGreaterThan(2).allMatch(timeout -> timeout == 10L);
        assertThat(outputTimeouts(HnswIndexOperator.UID, DeliveryGuarantee.EXACTLY_ONCE))
                .hasSizeGreaterThan(2).allMatch(timeout -> timeout == 100L);
    }

    /**
     * Under at-least-once records go into the index at once (queries share that edge with upserts);
     * under exactly-once they fill whole buffers, which the checkpoint's barrier flushes.
     */
    @Test
    void theEdgeIntoTheIndexSendsEachRecordAtOnceOnlyUnderAtLeastOnce() {
        assertThat(outputTimeouts("decode", DeliveryGuarantee.AT_LEAST_ONCE)).isNotEmpty()
                .allMatch(timeout -> timeout == 0L);
        assertThat(outputTimeouts("decode", DeliveryGuarantee.EXACTLY_ONCE)).isNotEmpty()
                .allMatch(timeout -> timeout == 100L);
    }

    /** The buffer timeouts of the output edges of the operator named {@code operator}. */
    private static List<Long> outputTimeouts(String operator, DeliveryGuarantee delivery) {
        List<Long> timeouts = new ArrayList<>();
        for (StreamNode node : streamGraph("q", delivery).getStreamNodes()) {
            if (node.getOperatorName().equals(operator)) {
                node.getOutEdges().forEach(edge -> timeouts.add(edge.getBufferTimeout()));
            }
        }
        return timeouts;
    }

    private static List<String> vertexNames(String queriesTopic) {
        List<String> names = new ArrayList<>();
        for (JobVertex v : streamGraph(queriesTopic, DeliveryGuarantee.EXACTLY_ONCE).getJobGraph().getVertices()) {
            names.add(v.getName());
        }
        return names;
    }

    private static StreamGraph streamGraph(String queriesTopic, DeliveryGuarantee delivery) {
        JobConfig config = JobConfig.builder().bootstrapServers("localhost:9").eventsTopic("e").queriesTopic(queriesTopic)
                .resultsTopic("r").deadLetterTopic("d").updatesTopic("u").groupId("g").delivery(delivery).parallelism(2)
                .checkpointIntervalMs(1000).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaIo.job(config).build(env);
        return env.getStreamGraph();
    }
}
