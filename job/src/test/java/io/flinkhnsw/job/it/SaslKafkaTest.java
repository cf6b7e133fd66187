package io.flinkhnsw.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.job.codec.Json;
import io.flinkhnsw.job.local.LocalCommand;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job against a broker that requires SASL/PLAIN (and authorizes: only the super user may act),
 * with the credentials given only in a {@code --kafka-properties} file: {@code local} creates the
 * topics, runs the job on them and answers every query end to end, so every Kafka client (admin,
 * producers, the job's source and transactional sinks, the read_committed reader) authenticated.
 * Without the credentials a client does not get in.
 */
class SaslKafkaTest {
    private static KafkaClusterTestKit kafka;
    private static String jaasBefore;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        jaasBefore = System.getProperty("java.security.auth.login.config");
        kafka = SharedKafka.startSingleNode(new TestKitNodes.Builder()
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) kafka.close();
        // the test kit pointed the JVM-wide JAAS configuration at its server file; put it back
        if (jaasBefore == null) {
            System.clearProperty("java.security.auth.login.config");
        } else {
            System.setProperty("java.security.auth.login.config", jaasBefore);
        }
    }

    @Test
    void withoutCredentialsNoClientGetsIn() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "request.timeout.ms", "1500", "default.api.timeout.ms", "3000"))) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void theJobRunsWithCredentialsFromAPropertiesFile() throws Exception {
        Path credentials = dir.resolve("client.properties");
        Files.writeString(credentials, String.join("\n",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + JaasUtils.KAFKA_PLAIN_ADMIN + "\" password=\"" + JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD + "\";"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine local = Cli.of(new LocalCommand());
        local.setOut(new PrintWriter(out));
        local.setErr(new PrintWriter(err));
        int rc = local.execute("--bootstrap-servers", kafka.bootstrapServers(), "--kafka-properties", credentials.toString(),
                "--size", "400", "--dim", "8", "--query-rate", "1000", "--warmup", "100", "--group-id", "sasl-test");

        assertThat(rc).as("exit code; stderr: %s", err).isZero();
        JsonNode summary = Json.MAPPER.readTree(out.toString().trim());
        assertThat(summary.get("upserts").asInt()).isEqualTo(400);
        assertThat(summary.get("queries").asInt()).isEqualTo(16);
        assertThat(summary.get("dead_letters").asInt()).isEqualTo(3);
        assertThat(summary.get("recall_at_k").asDouble()).isGreaterThan(0.9);
        assertThat(err.toString()).doesNotContain(JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD);
    }
}
