package io.flinkhnsw.job.pipeline;

import io.flinkhnsw.operators.IndexEvent;
import org.apache.flink.api.java.functions.KeySelector;

/** Partitions events by their index key, so each key's events reach one subtask in order. */
public class EventKey implements KeySelector<IndexEvent, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(IndexEvent e) {
        return e.key;
    }
}
