package io.flinkhnsw.job;

import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.job.cli.JobOptions;
import io.flinkhnsw.job.cli.KafkaOptions;
import io.flinkhnsw.job.kafka.KafkaIo;
import io.flinkhnsw.operators.StateBackendSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * Entry class for {@code flink run flink-hnsw-cluster.jar [options]} (and the {@code cluster-job}
 * command): reads the job options, wires Kafka in and out and submits the job to the environment it
 * runs in. Cluster-wide settings (state backend, checkpoint storage, restart strategy, metrics) come
 * from the cluster's config.yaml; see flink-conf/. A restore the state changelog cannot continue from
 * (not in CLAIM mode) is refused before the job is submitted.
 */
@Command(name = "cluster-job", description = "run the Kafka job in this JVM (what flink run executes)",
        sortOptions = false, mixinStandardHelpOptions = true, showDefaultValues = true)
public final class ClusterJob implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;
    @Mixin
    JobOptions job;

    @Option(names = "--job-name", paramLabel = "NAME", description = "default: flink-hnsw EVENTS -> RESULTS")
    String jobName;

    /**
     * Under {@code flink run} or a Flink application cluster: never exits the JVM; a usage error
     * or a failure to submit is thrown, so Flink reports it.
     */
    public static void main(String[] args) throws Exception {
        CommandLine cl = Cli.of(new ClusterJob());
        cl.setCommandName("flink run -c " + ClusterJob.class.getName() + " flink-hnsw-cluster.jar");
        cl.getCommandSpec().version("flink-hnsw " + JvmFlags.buildProperty("version"));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            throw e;
        });
        int rc = cl.execute(args);
        if (rc != Cli.OK) {
            throw new IllegalArgumentException("flink-hnsw: invalid job options (see above)");
        }
    }

    @Override
    public Integer call() throws Exception {
        JobConfig config = job.toConfig(kafka, JobConfig.DEFAULT_BOOTSTRAP_SERVERS);
        String name = jobName != null ? jobName : "flink-hnsw " + config.eventsTopic + " -> " + config.resultsTopic;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StateBackendSettings.checkRestore(env.getConfiguration());
        KafkaIo.job(config).build(env);
        env.execute(name);
        return Cli.OK;
    }
}
