package io.flinkhnsw.job.local;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metric reporter for the local runner's in-process MiniCluster: it keeps a reference to every
 * counter the job's operators register, so {@link LocalFlink} reads an operator's counter where it
 * lives instead of over REST. A REST metrics read makes the TaskManager serialise every metric it
 * has (the Kafka clients' among them), ship the dump to the JobManager and render it as JSON; polled
 * while `local` times ingest, that work and its compilation ran on the cores the job was being
 * timed on. Counters are keyed by job id, operator name and metric name, and leave when Flink
 * removes them (a restarted task registers new ones).
 */
public final class OperatorCounters implements MetricReporter {
    private static final Map<Counter, String> COUNTERS = new ConcurrentHashMap<>();

    /** Sum of the counters {@code group.name} of operator {@code operator} in job {@code jobId}; -1 when none is registered. */
    static long sum(String jobId, String operator, String group, String name) {
        String key = key(jobId, operator, group + "." + name);
        long sum = 0;
        boolean found = false;
        for (Map.Entry<Counter, String> e : COUNTERS.entrySet()) {
            if (e.getValue().equals(key)) {
                sum += e.getKey().getCount();
                found = true;
            }
        }
        return found ? sum : -1;
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter) {
            COUNTERS.put((Counter) metric, key(group, metricName));
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter) {
            COUNTERS.remove(metric);
        }
    }

    private static String key(MetricGroup group, String metricName) {
        Map<String, String> variables = group.getAllVariables();
        String operator = variables.getOrDefault("<operator_name>", "");
        // the operator's scope ends "<operator_name>.<subtask_index>"; what follows are the operator's own groups
        String[] scope = group.getScopeComponents();
        int at = scope.length - 1;
        while (at >= 0 && !scope[at].equals(operator)) {
            at--;
        }
        StringBuilder local = new StringBuilder();
        for (int i = at < 0 ? scope.length : at + 2; i < scope.length; i++) {
            local.append(scope[i]).append('.');
        }
        return key(variables.getOrDefault("<job_id>", ""), operator, local.append(metricName).toString());
    }

    private static String key(String jobId, String operator, String local) {
        return jobId + '/' + operator + '/' + local;
    }

    /** Creates the reporter; named in the MiniCluster's configuration by {@link LocalFlink}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new OperatorCounters();
        }
    }
}
