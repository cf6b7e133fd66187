package io.flinkhnsw.job;

import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobConfigTest {
    private static JobConfig parse(String... argv) {
        Args a = new Args(argv);
        JobConfig c = JobConfig.fromArgs(a, JobConfig.builder()).build();
        a.checkAllUsed();
        return c;
    }

    @Test
    void documentedDefaults() {
        JobConfig c = parse();
        assertThat(c.eventsTopic).isEqualTo("hnsw-events");
        assertThat(c.resultsTopic).isEqualTo("hnsw-results");
        assertThat(c.deadLetterTopic).isEqualTo("hnsw-dead-letters");
        assertThat(c.queriesTopic).isNull();
        assertThat(c.delivery).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(c.hnsw.m()).isEqualTo(16);
        assertThat(c.maxMessageBytes).isEqualTo(512 * 1024);
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
        assertThatThrownBy(() -> parse("--max-cached-keys", "64")).hasMessageContaining("unknown option --max-cached-keys");
        assertThatThrownBy(() -> parse("--key-overrides", "big-:max-vectors=0"))
                .hasMessageContaining("max-vectors must be >= 1");
    }

    @Test
    void parsesOptionsAndPerPrefixOverrides() {
        JobConfig c = parse("--bootstrap-servers", "k:1", "--delivery=at-least-once", "--m", "24", "--ef", "100",
                "--queries-topic", "qs", "--key-overrides", "img-:metric=cosine,m=32;img-big-:ef=300");
        assertThat(c.bootstrapServers).isEqualTo("k:1");
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
    void rejectsTyposAndBadValues() {
        assertThatThrownBy(() -> parse("--bootstrap-server", "x")).hasMessageContaining("unknown option --bootstrap-server");
        assertThatThrownBy(() -> parse("--delivery", "twice")).hasMessageContaining("exactly-once or at-least-once");
        assertThatThrownBy(() -> parse("--m", "many")).hasMessageContaining("--m needs a number");
        assertThatThrownBy(() -> parse("--key-overrides", "img-:m")).hasMessageContaining("not name=value");
        assertThatThrownBy(() -> parse("--delivery", "exactly-once", "--checkpoint-interval-ms", "0"))
                .hasMessageContaining("exactly-once needs checkpoints");
    }
}
