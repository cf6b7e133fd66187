package io.flinkhnsw.operators.bench;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metric reporter for benchmarks and the local runner, which run a MiniCluster in their own JVM:
 * it keeps a reference to every metric of the index operator's {@code hnsw} group, so they read
 * counters and gauges directly, summed over subtasks, and not over REST (where every read makes the
 * TaskManager dump and serialise all its metrics). A restarted task's metric replaces the one it had
 * under the same name. Enabled with {@link #enable}; found by Flink through its service file.
 */
public final class CapturedMetrics implements MetricReporter {
    private static final String GROUP = ".hnsw.";
    private static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    /** Adds this reporter to a MiniCluster configuration. */
    public static void enable(org.apache.flink.configuration.Configuration conf) {
        conf.setString("metrics.reporter.captured.factory.class", Factory.class.getName());
    }

    /** Forgets the metrics of earlier jobs. */
    public static void clear() {
        METRICS.clear();
    }

    /**
     * The sum over subtasks of the counter or numeric gauge {@code name} of the index operator, or
     * null when no subtask has such a metric.
     */
    public static Double sum(String name) {
        Double total = null;
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            if (!e.getKey().endsWith(GROUP + name)) {
                continue;
            }
            double v;
            if (e.getValue() instanceof Counter c) {
                v = c.getCount();
            } else if (e.getValue() instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                v = n.doubleValue();
            } else {
                continue;
            }
            total = total == null ? v : total + v;
        }
        return total;
    }

    /** The largest value of the numeric gauge {@code name} over subtasks, or null. */
    static Double max(String name) {
        Double best = null;
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            if (e.getKey().endsWith(GROUP + name) && e.getValue() instanceof Gauge<?> g
                    && g.getValue() instanceof Number n) {
                best = best == null ? n.doubleValue() : Math.max(best, n.doubleValue());
            }
        }
        return best;
    }

    /** The largest {@code quantile} of the histogram {@code name} over subtasks, or null when none has it. */
    static Double maxQuantile(String name, double quantile) {
        Double best = null;
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            if (e.getKey().endsWith(GROUP + name) && e.getValue() instanceof Histogram h && h.getCount() > 0) {
                double q = h.getStatistics().getQuantile(quantile);
                best = best == null ? q : Math.max(best, q);
            }
        }
        return best;
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String id = group.getMetricIdentifier(metricName);
        if (id.contains(GROUP)) {
            METRICS.put(id, metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // kept: a benchmark reads the final values after the job ends
    }

    /** Creates the reporter; listed in META-INF/services so Flink's reporter setup finds it. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CapturedMetrics();
        }
    }
}
