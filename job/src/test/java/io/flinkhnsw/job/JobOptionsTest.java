package io.flinkhnsw.job;

import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.hnsw.Quantization;
import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job options as {@code cluster-job} parses them: defaults, values, Kafka properties, key overrides, errors. */
class JobOptionsTest {
    @TempDir
    Path dir;

    private static JobConfig parse(String... argv) {
        ClusterJob command = new ClusterJob();
        Cli.of(command).parseArgs(argv);
        return command.job.toConfig(command.kafka, JobConfig.DEFAULT_BOOTSTRAP_SERVERS);
    }

    /** Exit code and stderr of a command line that must fail before the job would start. */
    private static String[] usageError(String... argv) {
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.of(new ClusterJob());
        cl.setErr(new PrintWriter(err));
        return new String[] {Integer.toString(cl.execute(argv)), err.toString()};
    }

    @Test
    void documentedDefaults() {
        JobConfig c = parse();
        assertThat(c.kafka.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(c.kafka.properties()).isEmpty();
        assertThat(c.eventsTopic).isEqualTo("hnsw-events");
        assertThat(c.resultsTopic).isEqualTo("hnsw-results");
        assertThat(c.deadLetterTopic).isEqualTo("hnsw-dead-letters");
        assertThat(c.queriesTopic).isNull();
        assertThat(c.groupId).isEqualTo("flink-hnsw");
        assertThat(c.delivery).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(c.hnsw.m()).isEqualTo(16);
        assertThat(c.maxMessageBytes).isEqualTo(512 * 1024);
        assertThat(c.maxEf).isEqualTo(10_000);
        assertThat(c.indexSettings().maxEf()).isEqualTo(10_000);
        IndexSettings s = c.indexSettings();
        assertThat(s.indexMemoryBytes()).as("derived from the heap by the operator").isZero();
        assertThat(s.writeBufferBytes()).isEqualTo(32L << 20);
        assertThat(s.maxVectorsFor("any")).as("what fits the index memory").isZero();
    }

    @Test
    void parsesMemorySizesAndVectorLimits() {
        JobConfig c = parse("--index-memory", "1536m", "--write-buffer", "8m", "--max-vectors-per-key", "2000000",
                "--key-overrides", "big-:max-vectors=50000000,m=32;img-:metric=cosine");
        IndexSettings s = c.indexSettings();
        assertThat(s.indexMemoryBytes()).isEqualTo(1536L << 20);
        assertThat(s.writeBufferBytes()).isEqualTo(8L << 20);
        assertThat(s.maxVectorsFor("shop-1")).isEqualTo(2_000_000);
        assertThat(s.maxVectorsFor("big-1")).isEqualTo(50_000_000);
        assertThat(s.configFor("big-1").m()).isEqualTo(32);
        assertThat(s.maxVectorsFor("img-1")).as("an override without max-vectors keeps the job's").isEqualTo(2_000_000);
        assertThat(parse("--index-memory", "1g").indexSettings().indexMemoryBytes()).isEqualTo(1L << 30);
        assertThat(parse("--index-memory", "300000").indexSettings().indexMemoryBytes()).isEqualTo(300_000);
        assertThatThrownBy(() -> parse("--index-memory", "lots")).hasMessageContaining("--index-memory needs a size");
        assertThat(usageError("--max-cached-keys", "64")[1]).contains("--max-cached-keys");
        assertThatThrownBy(() -> parse("--key-overrides", "big-:max-vectors=0"))
                .hasMessageContaining("max-vectors must be >= 1");
    }

    @Test
    void parsesShardsPerJobAndPerPrefix() {
        IndexSettings s = parse("--shards", "2", "--key-overrides", "big-:shards=8,m=32;img-:m=8").indexSettings();
        assertThat(s.shardsFor("any")).isEqualTo(2);
        assertThat(s.shardsFor("big-1")).isEqualTo(8);
        assertThat(s.configFor("big-1").m()).isEqualTo(32);
        assertThat(s.shardsFor("img-1")).as("an override without shards keeps the job's").isEqualTo(2);
        assertThat(parse().indexSettings().shardsFor("any")).isEqualTo(1);
        assertThatThrownBy(() -> parse("--shards", "0")).hasMessageContaining("--shards must be in 1..64");
        assertThatThrownBy(() -> parse("--key-overrides", "big-:shards=65")).hasMessageContaining("shards must be in 1..64");
    }

    @Test
    void parsesFilterFieldsPerJobAndPerPrefix() {
        IndexSettings s = parse("--filter-fields", "color:keyword,price:number",
                "--key-overrides", "shop:eu-:m=8,filter-fields=in_stock:bool|shipping.free:bool;img-:m=32").indexSettings();
        assertThat(s.filterFieldsFor("any").toString()).isEqualTo("color:keyword,price:number");
        assertThat(s.filterFieldsFor("shop:eu-1").toString()).as("a prefix with a colon").isEqualTo("in_stock:bool,shipping.free:bool");
        assertThat(s.configFor("shop:eu-1").m()).isEqualTo(8);
        assertThat(s.filterFieldsFor("img-1")).as("an override without filter-fields keeps the job's")
                .isEqualTo(s.filterFieldsFor("any"));
        assertThat(parse().indexSettings().filterFieldsFor("any").isEmpty()).isTrue();
        assertThatThrownBy(() -> parse("--filter-fields", "color:text")).hasMessageContaining("unknown field type 'text'");
    }

    @Test
    void parsesOptionsAndPerPrefixOverrides() {
        JobConfig c = parse("--bootstrap-servers", "k:1", "--delivery=at-least-once", "--m", "24", "--ef", "100",
                "--queries-topic", "qs", "--key-overrides", "img-:metric=cosine,m=32;img-big-:ef=300");
        assertThat(c.kafka.bootstrapServers()).isEqualTo("k:1");
        assertThat(c.delivery).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(c.queriesTopic).isEqualTo("qs");
        IndexSettings s = c.indexSettings();
        assertThat(s.configFor("shop-1").m()).isEqualTo(24);
        assertThat(s.configFor("img-1").metric()).isEqualTo(Metric.COSINE);
        assertThat(s.configFor("img-1").m()).isEqualTo(32);
        assertThat(s.configFor("img-1").defaultEf()).as("other parameters come from the job defaults").isEqualTo(100);
        assertThat(s.configFor("img-big-1").defaultEf()).isEqualTo(300);
        assertThat(s.configFor("img-big-1").metric()).as("an override starts from the defaults, not a shorter prefix")
                .isEqualTo(Metric.L2);
    }

    @Test
    void parsesQuantizationPerJobAndPerPrefix() {
        assertThat(parse().indexSettings().configFor("any").quantization()).isEqualTo(Quantization.NONE);
        IndexSettings s = parse("--quantization", "int8", "--key-overrides", "exact-:quantization=none;img-:m=8")
                .indexSettings();
        assertThat(s.configFor("shop-1").quantization()).isEqualTo(Quantization.INT8);
        assertThat(s.configFor("img-1").quantization()).as("an override starts from the job's").isEqualTo(Quantization.INT8);
        assertThat(s.configFor("exact-1").quantization()).isEqualTo(Quantization.NONE);
        assertThatThrownBy(() -> parse("--quantization", "int4")).hasMessageContaining("unknown quantization 'int4'");
    }

    @Test
    void rejectsTyposAndBadValuesAsUsageErrors() {
        String[] typo = usageError("--bootstrap-server", "x");
        assertThat(typo[0]).isEqualTo("2");
        assertThat(typo[1]).contains("Unknown options: '--bootstrap-server', 'x'").contains("--bootstrap-servers")
                .contains("--help' for the options");
        assertThat(usageError("--m", "many")[1]).contains("Invalid value for option '--m': 'many' is not an int");
        assertThatThrownBy(() -> parse("--delivery", "twice")).hasMessageContaining("exactly-once or at-least-once");
        assertThatThrownBy(() -> parse("--key-overrides", "img-:m")).hasMessageContaining("not name=value");
        assertThatThrownBy(() -> parse("--key-overrides", "img-:size=3")).hasMessageContaining("unknown parameter 'size'");
        assertThatThrownBy(() -> parse("--delivery", "exactly-once", "--checkpoint-interval-ms", "0"))
                .hasMessageContaining("exactly-once needs checkpoints");
        assertThatThrownBy(() -> parse("--max-ef", "100001")).hasMessageContaining("--max-ef must be in 1..100000");
    }

    @Test
    void kafkaPropertiesFromFileAndOptionsWithFlagsWinning() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, String.join("\n",
                "bootstrap.servers=from-file:9093",
                "group.id=group-from-file",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cr3t\";",
                "compression.type=gzip"));
        JobConfig fromFile = parse("--kafka-properties", file.toString(), "--kafka-property", "compression.type=zstd");
        assertThat(fromFile.kafka.bootstrapServers()).as("a property applies when no flag is given").isEqualTo("from-file:9093");
        assertThat(fromFile.groupId).isEqualTo("group-from-file");
        assertThat(fromFile.kafka.properties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("compression.type", "zstd").doesNotContainKeys("bootstrap.servers", "group.id");
        assertThat(fromFile.kafka.clientConfig(Map.of(), Map.of())).containsEntry("bootstrap.servers", "from-file:9093")
                .containsKey("sasl.jaas.config");

        JobConfig flags = parse("--kafka-properties", file.toString(), "--bootstrap-servers", "flag:1", "--group-id", "g");
        assertThat(flags.kafka.bootstrapServers()).isEqualTo("flag:1");
        assertThat(flags.groupId).isEqualTo("g");

        assertThat(flags.toString()).contains("security.protocol=SASL_SSL").contains("sasl.jaas.config=****")
                .doesNotContain("s3cr3t");

        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"a=b\";";
        assertThat(parse("--kafka-property", "sasl.jaas.config=" + jaas).kafka.properties())
                .as("a value keeps its own = and quotes").containsEntry("sasl.jaas.config", jaas);
    }

    @Test
    void refusesTheSettingsTheGuaranteesDependOn() {
        for (String owned : new String[] {"isolation.level=read_uncommitted", "transactional.id=x", "enable.idempotence=false",
            "acks=1", "enable.auto.commit=true", "auto.offset.reset=latest", "value.deserializer=x",
            "transaction.timeout.ms=5"}) {
            assertThatThrownBy(() -> parse("--kafka-property", owned)).as(owned)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Kafka property " + owned.substring(0, owned.indexOf('=')) + " cannot be set");
        }
    }

    @Test
    void keyOverridesFromJsonAndYamlWithTheCommandLineWinning() throws Exception {
        Path json = dir.resolve("overrides.json");
        Files.writeString(json, """
                {"key-overrides": [
                  {"prefix": "img-", "metric": "cosine", "m": 32},
                  {"prefix": "img-big-", "ef": 300, "ef-construction": 400},
                  {"prefix": "txt-", "seed": 7}
                ]}""");
        Path yaml = dir.resolve("overrides.yaml");
        Files.writeString(yaml, """
                # per key prefix; each entry starts from the job's parameters
                key-overrides:
                  - prefix: img-
                    metric: cosine
                    m: 32
                  - prefix: img-big-
                    ef: 300
                    ef-construction: 400
                  - prefix: txt-
                    seed: 7
                """);
        for (Path file : new Path[] {json, yaml}) {
            IndexSettings s = parse("--ef", "90", "--key-overrides-file", file.toString()).indexSettings();
            assertThat(s.configFor("img-1").metric()).as(file.toString()).isEqualTo(Metric.COSINE);
            assertThat(s.configFor("img-1").m()).isEqualTo(32);
            assertThat(s.configFor("img-1").defaultEf()).isEqualTo(90);
            assertThat(s.configFor("img-big-1").defaultEf()).as("longest prefix wins").isEqualTo(300);
            assertThat(s.configFor("img-big-1").efConstruction()).isEqualTo(400);
            assertThat(s.configFor("img-big-1").metric()).isEqualTo(Metric.L2);
            assertThat(s.configFor("txt-1").seed()).isEqualTo(7L);
            assertThat(s.configFor("other").defaultEf()).isEqualTo(90);
        }
        IndexSettings both = parse("--key-overrides-file", yaml.toString(), "--key-overrides", "img-:m=8;new-:ef=20")
                .indexSettings();
        assertThat(both.configFor("img-1").m()).as("the command line wins for the same prefix").isEqualTo(8);
        assertThat(both.configFor("img-1").metric()).as("and replaces the file's entry whole").isEqualTo(Metric.L2);
        assertThat(both.configFor("img-big-1").defaultEf()).isEqualTo(300);
        assertThat(both.configFor("new-1").defaultEf()).isEqualTo(20);

        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "key-overrides:\n  - prefix: a-\n    quantization: pq\n");
        assertThatThrownBy(() -> parse("--key-overrides-file", bad.toString()))
                .hasMessageContaining("unknown quantization 'pq'").hasMessageContaining(bad.toString());
        Files.writeString(bad, "key-overrides:\n  - prefix: a-\n    size: 3\n");
        assertThatThrownBy(() -> parse("--key-overrides-file", bad.toString()))
                .hasMessageContaining("unknown parameter 'size'").hasMessageContaining(bad.toString());
        Files.writeString(bad, "key-overrides:\n  - m: 3\n");
        assertThatThrownBy(() -> parse("--key-overrides-file", bad.toString())).hasMessageContaining("needs a non-empty prefix");
        Path txt = dir.resolve("overrides.txt");
        Files.writeString(txt, "");
        assertThatThrownBy(() -> parse("--key-overrides-file", txt.toString())).hasMessageContaining(".json, .yaml or .yml");
    }
}
