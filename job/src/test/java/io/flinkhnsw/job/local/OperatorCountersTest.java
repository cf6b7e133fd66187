package io.flinkhnsw.job.local;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link OperatorCounters} on a real MiniCluster: a sink chained behind a counting operator reads
 * that operator's counter through the reporter while the job runs, and sees every element counted;
 * counters of another name or operator are not summed in.
 */
class OperatorCountersTest {
    private static final Map<String, Long> SEEN = new ConcurrentHashMap<>();

    @Test
    void readsAnOperatorsCounterInProcess() throws Exception {
        Configuration conf = Configuration.fromMap(Map.of(
                "metrics.reporter.counters.factory.class", OperatorCounters.Factory.class.getName()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.fromSequence(1, 500).map(new Counting()).name("counting").addSink(new Reading()).name("reading");
        env.execute("operator-counters");

        assertThat(SEEN).containsEntry("counting/hnsw.seen", 500L)
                .containsEntry("counting/hnsw.other", -1L)
                .containsEntry("reading/hnsw.seen", -1L);
    }

    private static final class Counting extends RichMapFunction<Long, Long> {
        private transient Counter seen;

        @Override
        public void open(OpenContext context) {
            seen = getRuntimeContext().getMetricGroup().addGroup("hnsw").counter("seen");
        }

        @Override
        public Long map(Long value) {
            seen.inc();
            return value;
        }
    }

    private static final class Reading extends RichSinkFunction<Long> {
        @Override
        public void invoke(Long value, Context context) {
            if (value == 500) {
                String job = getRuntimeContext().getJobInfo().getJobId().toString();
                SEEN.put("counting/hnsw.seen", OperatorCounters.sum(job, "counting", "hnsw", "seen"));
                SEEN.put("counting/hnsw.other", OperatorCounters.sum(job, "counting", "hnsw", "other"));
                SEEN.put("reading/hnsw.seen", OperatorCounters.sum(job, "reading", "hnsw", "seen"));
            }
        }
    }
}
