package io.flinkhnsw.job.inspect;

import com.fasterxml.jackson.core.JsonGenerator;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.codec.Json;
import io.flinkhnsw.operators.ShardKeys;
import io.flinkhnsw.operators.state.KeyWriteBack;
import io.flinkhnsw.operators.state.KeyedIndexState;
import io.flinkhnsw.operators.state.PayloadState;
import io.flinkhnsw.operators.state.PendingWriteCodec;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads each key of the index operator's keyed state the way the operator loads it: through
 * {@link KeyedIndexState} and {@link KeyWriteBack#load} into a {@link KeyIndex} (graph included),
 * with payloads from {@link PayloadState}; so what it prints is what a restored operator would hold.
 * Per key one {@link KeyReport} with the key's JSON line: its tier, live vectors, tombstones,
 * backlog and parameters, and, when {@code entries} is set, its live vectors by id with payloads.
 * Reading the shard operator's state ({@code shards}), each key is a shard's sub-key and its line
 * also names the key it is a shard of ({@code shard_of}). Only the key {@code onlyKey} (with its
 * shards) when it is not null.
 */
public final class IndexStateReader extends KeyedStateReaderFunction<String, KeyReport> {
    private static final long serialVersionUID = 1L;

    private final String onlyKey;
    private final boolean entries;
    private final boolean shards;
    private transient KeyedIndexState state;
    private transient PayloadState payloads;

    public IndexStateReader(String onlyKey, boolean entries, boolean shards) {
        this.onlyKey = onlyKey;
        this.entries = entries;
        this.shards = shards;
    }

    @Override
    public void open(OpenContext openContext) {
        // the State Processor API binds state handles only while the function opens
        state = new KeyedIndexState(getRuntimeContext());
        payloads = new PayloadState(getRuntimeContext());
    }

    @Override
    public void readKey(String key, Context ctx, Collector<KeyReport> out) throws IOException {
        String shardOf = shards ? ShardKeys.keyOf(key) : null;
        if (onlyKey != null && !onlyKey.equals(shards ? shardOf : key)) {
            return;
        }
        // flat limit 0: the default; it only decides when later writes drain, never what is read
        KeyWriteBack.Opened opened = KeyWriteBack.load(state, 0, KeyWriteBack.LoadObserver.NONE);
        if (opened == null) {
            return; // payload entries only: nothing the operator would load as an index
        }
        KeyIndex index = opened.index();
        index.loadGraph();
        int pendingWrites = state.pendingWrites();
        // writes the operator logged while the key was not in memory: applied as its next load would
        state.forEachPendingWrite(new PendingWriteCodec.Visitor() {
            @Override
            public void upsert(String id, float[] vector) {
                index.upsert(id, vector);
            }

            @Override
            public void delete(String id) {
                index.delete(id);
            }
        });
        StringWriter text = new StringWriter();
        try (JsonGenerator g = Json.MAPPER.createGenerator(text)) {
            writeKey(key, shardOf, index, pendingWrites, g);
        }
        out.collect(new KeyReport(key, text.toString(), index.size(), index.tombstones(), index.isGraph()));
    }

    private void writeKey(String key, String shardOf, KeyIndex index, int pendingWrites, JsonGenerator g)
            throws IOException {
        HnswConfig c = index.config();
        g.writeStartObject();
        g.writeStringField("key", key);
        if (shardOf != null) {
            g.writeStringField("shard_of", shardOf);
        }
        g.writeStringField("tier", index.isGraph() ? "graph" : "flat");
        g.writeNumberField("size", index.size());
        g.writeNumberField("tombstones", index.tombstones());
        g.writeNumberField("backlog", index.flatSize());
        g.writeBooleanField("draining", index.draining());
        g.writeNumberField("pending_writes", pendingWrites);
        g.writeNumberField("dimension", index.dimension());
        g.writeStringField("metric", c.metric().cliName());
        g.writeNumberField("m", c.m());
        g.writeNumberField("ef_construction", c.efConstruction());
        g.writeNumberField("ef", c.defaultEf());
        g.writeNumberField("seed", c.seed());
        g.writeStringField("quantization", c.quantization().cliName());
        if (entries) {
            g.writeArrayFieldStart("vectors");
            for (Map.Entry<String, float[]> e : liveVectors(index).entrySet()) {
                writeEntry(e.getKey(), e.getValue(), g);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** The key's live vectors by id, in id order (slot order differs between backlog and graph). */
    private static Map<String, float[]> liveVectors(KeyIndex index) {
        Map<String, float[]> byId = new TreeMap<>();
        for (int slot = 0; slot < index.flatSize(); slot++) {
            float[] v = new float[index.dimension()];
            index.flatVector(slot, v);
            byId.put(index.flatId(slot), v);
        }
        for (int node = 0; node < index.graphSlots(); node++) {
            int n = node;
            index.readGraphNode(node, (slot, id, level, links, tombstone) -> {
                if (!tombstone) {
                    float[] v = new float[index.dimension()];
                    index.graphVector(n, v);
                    byId.put(id, v);
                }
            });
        }
        return byId;
    }

    private void writeEntry(String id, float[] vector, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeArrayFieldStart("vector");
        for (float x : vector) {
            g.writeNumber(x);
        }
        g.writeEndArray();
        EventCodec.writeJsonOrText(g, "payload", payloads.get(id));
        g.writeEndObject();
    }
}
