package io.flinkhnsw.job.it;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real single-node KRaft broker (KafkaClusterTestKit) shared by all end-to-end test classes of
 * the run, closed when the run ends. Tests use their own topics, so they do not see each other.
 */
public class SharedKafka implements BeforeAllCallback {
    private static KafkaClusterTestKit kafka;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (SharedKafka.class) {
            if (kafka != null) return;
            KafkaClusterTestKit k = startSingleNode(new TestKitNodes.Builder());
            kafka = k;
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .put("shared-kafka", (AutoCloseable) k::close);
        }
    }

    /** A started combined broker and controller on {@code nodes}, configured for one node (transactions included). */
    static KafkaClusterTestKit startSingleNode(TestKitNodes.Builder nodes) throws Exception {
        KafkaClusterTestKit k = new KafkaClusterTestKit.Builder(
                nodes.setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "2")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        k.format();
        k.startup();
        k.waitForReadyBrokers();
        return k;
    }

    public static String bootstrap() {
        return kafka.bootstrapServers();
    }
}
