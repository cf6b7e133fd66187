package io.flinkhnsw.job;

import io.flinkhnsw.job.kafka.KafkaIo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry class for {@code flink run flink-hnsw-cluster.jar [options]}: reads the job options
 * ({@link JobConfig#usage()}), wires Kafka in and out and submits the job to the cluster it runs on.
 * Cluster-wide settings (state backend, checkpoint storage, restart strategy, metrics) come from
 * the cluster's config.yaml; see flink-conf/.
 */
public final class ClusterJob {
    private ClusterJob() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        if (args.flag("help")) {
            System.out.println("usage: flink run -c " + ClusterJob.class.getName() + " flink-hnsw-cluster.jar [options]\n"
                    + JobConfig.usage());
            return;
        }
        JobConfig config = JobConfig.fromArgs(args, JobConfig.builder()).build();
        String name = args.get("job-name", "flink-hnsw " + config.eventsTopic + " -> " + config.resultsTopic);
        args.checkAllUsed();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaIo.job(config).build(env);
        env.execute(name);
    }
}
