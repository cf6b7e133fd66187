package io.flinkhnsw.job.inspect;

/**
 * What {@link IndexStateReader} reports about one key: its JSON line and the counts the closing
 * summary adds up. A Flink POJO (public fields, no-argument constructor) so it crosses the reading
 * job's collect sink without Kryo.
 */
public class KeyReport {
    public String key;
    /** The key's line as {@code inspect} prints it. */
    public String json;
    /** Live vectors, backlog and graph. */
    public long live;
    public long tombstones;
    public boolean graph;

    public KeyReport() {
    }

    KeyReport(String key, String json, long live, long tombstones, boolean graph) {
        this.key = key;
        this.json = json;
        this.live = live;
        this.tombstones = tombstones;
        this.graph = graph;
    }
}
