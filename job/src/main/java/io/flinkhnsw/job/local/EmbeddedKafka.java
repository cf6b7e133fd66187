package io.flinkhnsw.job.local;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka broker (KRaft, combined broker and controller) inside this JVM, on two
 * distinct free loopback ports (chosen again when one is taken before the broker binds it), with
 * its log in {@code dir}. Configured for one node: replication factor 1 for the internal topics,
 * including the transaction log that exactly-once output needs. A broker that cannot start is an
 * {@link IllegalStateException}, whatever Kafka threw.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaRaftServer server;
    private final String bootstrap;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrap) {
        this.server = server;
        this.bootstrap = bootstrap;
    }

    public static EmbeddedKafka start(Path dir) throws Exception {
        String clusterId = Uuid.randomUuid().toString();
        try {
            return FreePorts.start(2, ports -> start(dir, clusterId, ports[0], ports[1]));
        } catch (Exception e) {
            // a failure, not a usage error: Kafka reports some with IllegalArgumentException
            throw new IllegalStateException("the embedded Kafka broker did not start: " + e.getMessage(), e);
        }
    }

    static EmbeddedKafka start(Path dir, String clusterId, int port, int controllerPort) throws Exception {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("log").toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "2");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "2");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "2");
        Files.createDirectories(dir);
        Path cfg = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(cfg)) {
            p.store(w, "flink-hnsw embedded broker");
        }
        ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", cfg.toString(),
                "--ignore-formatted"}, new PrintStream(formatLog, true, "UTF-8"));
        if (rc != 0) {
            throw new IllegalStateException("formatting the Kafka log dir failed: " + formatLog);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        EmbeddedKafka kafka = new EmbeddedKafka(server, "127.0.0.1:" + port);
        try {
            server.startup();
            try (Admin admin = kafka.admin()) {
                admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // a half-started broker holds the log dir's lock and its threads: a retry needs both free
            kafka.close();
            throw e;
        }
        return kafka;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
