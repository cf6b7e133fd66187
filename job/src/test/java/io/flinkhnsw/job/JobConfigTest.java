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
