package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.InvalidVectorException;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.operators.state.KeyedStateGraphStore;
import io.flinkhnsw.operators.state.PayloadState;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.List;

/**
 * The keyed HNSW operator: one graph per partition key, kept in keyed state (one entry per node
 * record, link list, tombstone and payload, see {@link KeyedStateGraphStore}) and mirrored by an
 * in-memory working copy per recently used key. Upserts and deletes write through to state inside
 * the event, so state is the full truth at every checkpoint and a restored or rescaled subtask
 * rebuilds a key's graph lazily, on that key's first event, identical to the one it replaces.
 * Events are applied in arrival order per key, so a query sees every earlier upsert and delete of
 * its key. Bad events go to {@link #REJECTED} with a reason and leave the index unchanged.
 */
public class HnswIndexFunction extends KeyedProcessFunction<String, IndexEvent, QueryResult> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected", TypeInformation.of(RejectedEvent.class));

    private final IndexSettings settings;

    private transient KeyedStateGraphStore store;
    private transient PayloadState payloads;
    private transient IndexCache cache;
    private transient OperatorMetrics metrics;

    public HnswIndexFunction(IndexSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        store = new KeyedStateGraphStore(getRuntimeContext());
        payloads = new PayloadState(getRuntimeContext());
        metrics = new OperatorMetrics(getRuntimeContext().getMetricGroup());
        cache = new IndexCache(settings.maxCachedKeys(), evicted -> metrics.keyEvicted(evicted.size(), evicted.tombstones()));
    }

    @Override
    public void processElement(IndexEvent event, Context ctx, Collector<QueryResult> out) {
        String reason = EventValidator.check(event, settings.maxPayloadBytes());
        if (reason != null) {
            reject(ctx, reason, event);
            return;
        }
        String key = ctx.getCurrentKey();
        try {
            switch (event.op) {
                case UPSERT -> upsert(key, event);
                case DELETE -> delete(key, event);
                case QUERY -> out.collect(query(key, event));
                default -> throw new IllegalStateException("validated op " + event.op);
            }
        } catch (InvalidVectorException e) {
            reject(ctx, e.getMessage(), event);
        }
    }

    private void upsert(String key, IndexEvent event) {
        HnswIndex index = indexOf(key, true);
        int live = index.size();
        int dead = index.tombstones();
        long start = System.nanoTime();
        // a new id has no payload to clear: skip the state delete, one less RocksDB write per insert
        boolean replacing = index.contains(event.id);
        index.upsert(event.id, event.vector);
        if (event.payload != null || replacing) {
            payloads.put(event.id, event.payload);
        }
        metrics.upserted((System.nanoTime() - start) / 1000, index.size() - live, index.tombstones() - dead);
    }

    private void delete(String key, IndexEvent event) {
        HnswIndex index = indexOf(key, false);
        if (index == null) {
            metrics.noopDelete();
            return;
        }
        int live = index.size();
        int dead = index.tombstones();
        if (index.delete(event.id)) {
            payloads.remove(event.id);
            metrics.deleted(index.size() - live, index.tombstones() - dead);
        } else {
            metrics.noopDelete();
        }
    }

    private QueryResult query(String key, IndexEvent event) {
        HnswIndex index = indexOf(key, false);
        if (index == null) {
            metrics.queried(0);
            return new QueryResult(event.queryId, key, new ArrayList<>(0), 0, 0);
        }
        long start = System.nanoTime();
        // the contract raises ef to k; doing it here keeps a small per-query ef valid for any k
        int ef = Math.max(event.k, event.ef == 0 ? index.config().defaultEf() : event.ef);
        SearchResult hits = index.search(event.vector, event.k, ef);
        List<Neighbour> neighbours = new ArrayList<>(hits.size());
        for (int i = 0; i < hits.size(); i++) {
            String id = hits.id(i);
            neighbours.add(new Neighbour(id, hits.distance(i), payloads.get(id)));
        }
        long micros = (System.nanoTime() - start) / 1000;
        metrics.queried(micros);
        return new QueryResult(event.queryId, key, neighbours, index.size(), micros);
    }

    /**
     * The working copy of {@code key}'s graph: from the cache, else rebuilt from state, else (when
     * {@code create}) a new empty index with the key's configured parameters; null when the key has
     * no index and none is to be created.
     */
    private HnswIndex indexOf(String key, boolean create) {
        HnswIndex index = cache.get(key);
        if (index != null) {
            metrics.cacheHit();
            return index;
        }
        metrics.cacheMiss();
        index = HnswIndex.load(store);
        if (index == null) {
            if (!create) {
                return null;
            }
            index = HnswIndex.create(settings.configFor(key), store);
        }
        metrics.keyCached(index.size(), index.tombstones());
        cache.put(key, index);
        return index;
    }

    private void reject(Context ctx, String reason, IndexEvent event) {
        metrics.rejected();
        ctx.output(REJECTED, new RejectedEvent(reason, event));
    }
}
