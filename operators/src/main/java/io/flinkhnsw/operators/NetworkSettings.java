package io.flinkhnsw.operators;

import org.apache.flink.configuration.Configuration;

/**
 * The network buffers flink-hnsw runs with, written once for the local runner and the benchmarks
 * (flink-conf/config.yaml holds the same key for clusters): segments of 128 KB instead of Flink's
 * 32 KB, so an operator that feeds several subtasks (a sharded key's router) runs further ahead of
 * the slowest before it stops feeding them all. Why, and what it measured: docs/ARCHITECTURE.md,
 * "Sharded keys".
 */
public final class NetworkSettings {
    public static final String SEGMENT_SIZE = "128kb";

    private NetworkSettings() {
    }

    /** Sets the network buffers' segment size. */
    public static Configuration apply(Configuration conf) {
        conf.setString("taskmanager.memory.segment-size", SEGMENT_SIZE);
        return conf;
    }
}
