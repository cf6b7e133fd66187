package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.InvalidVectorException;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.operators.state.BufferedGraphStore;
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
 * The keyed HNSW index logic: one graph per partition key, kept in keyed state (see
 * {@link KeyedStateGraphStore}) and mirrored by an in-memory working copy per recently used key,
 * rebuilt from state on a key's first event after a restore or rescale. Events are applied in
 * arrival order per key, so a query sees every earlier upsert and delete of its key. Bad events go
 * to {@link #REJECTED} with a reason and leave the index unchanged. Hosted by
 * {@link HnswIndexOperator} (the way jobs use it) graph changes are buffered and written back before
 * checkpoints; used alone, each event's changes are written to state at its end. Payloads are
 * written to state directly. See docs/ARCHITECTURE.md, "The keyed operator".
 */
public class HnswIndexFunction extends KeyedProcessFunction<String, IndexEvent, QueryResult> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected", TypeInformation.of(RejectedEvent.class));

    private final IndexSettings settings;

    private transient EventValidator validator;
    private transient KeyedStateGraphStore store;
    private transient PayloadState payloads;
    private transient IndexCache cache;
    private transient OperatorMetrics metrics;
    private transient BufferedGraphStore.Budget budget;
    /** Set by {@link HnswIndexOperator} before open: enables write-back; null = flush after every event. */
    private transient KeyScope writeBack;

    public HnswIndexFunction(IndexSettings settings) {
        this.settings = settings;
    }

    /** Runs an action with keyed state scoped to another key, then restores the current key. */
    interface KeyScope {
        void runAs(String key, Runnable action);
    }

    /** Called by {@link HnswIndexOperator#open()} before this function is opened. */
    void enableWriteBack(KeyScope scope) {
        this.writeBack = scope;
    }

    boolean writeBackEnabled() {
        return writeBack != null;
    }

    @Override
    public void open(OpenContext openContext) {
        validator = settings.validator();
        store = new KeyedStateGraphStore(getRuntimeContext());
        payloads = new PayloadState(getRuntimeContext());
        metrics = new OperatorMetrics(getRuntimeContext().getMetricGroup());
        budget = new BufferedGraphStore.Budget();
        cache = new IndexCache(settings.maxCachedKeys(), this::evict);
    }

    /** Drops a key from the cache: its unflushed changes are written under its own key first. */
    private void evict(IndexCache.Entry entry) {
        if (entry.store().dirty()) {
            if (writeBack == null) {
                throw new IllegalStateException("key " + entry.key() + " has unflushed changes outside write-back");
            }
            writeBack.runAs(entry.key(), () -> flush(entry));
        }
        metrics.keyEvicted(entry.index().size(), entry.index().tombstones());
    }

    /** Writes one key's buffered changes to state; the current key must be {@code entry.key()}. */
    private void flush(IndexCache.Entry entry) {
        int n = entry.store().flush();
        if (n > 0) {
            metrics.flushed(n, budget.entries());
        }
    }

    /**
     * Writes every dirty key's buffered changes to keyed state, keys in the order they became dirty,
     * each under its own key. Called by {@link HnswIndexOperator} before checkpoint barriers and at end
     * of input; a no-op without write-back (nothing is ever left buffered then).
     */
    void flushAll() {
        if (cache == null) {
            return;
        }
        for (IndexCache.Entry e : cache.takeDirty()) {
            if (writeBack == null) {
                flush(e);
            } else {
                writeBack.runAs(e.key(), () -> flush(e));
            }
        }
    }

    /** Buffered graph entries not yet in keyed state, over all keys of this subtask. */
    long bufferedEntries() {
        return budget == null ? 0 : budget.entries();
    }

    /** After each event: keep the current key's changes buffered (write-back) or write them now. */
    private void afterEvent(String key) {
        IndexCache.Entry entry = cache.get(key);
        if (entry == null || !entry.store().dirty()) {
            return;
        }
        if (writeBack == null) {
            flush(entry);
            return;
        }
        cache.markDirty(entry);
        if (budget.entries() > settings.maxBufferedEntries()) {
            flushAll();
        } else {
            metrics.buffered(budget.entries());
        }
    }

    @Override
    public void processElement(IndexEvent event, Context ctx, Collector<QueryResult> out) {
        String reason = validator.check(event);
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
        afterEvent(key);
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
        // a key's default ef may be below a query's k: the search widens to k
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
        IndexCache.Entry cached = cache.get(key);
        if (cached != null) {
            metrics.cacheHit();
            return cached.index();
        }
        metrics.cacheMiss();
        BufferedGraphStore buffer = new BufferedGraphStore(store, budget);
        HnswIndex index = HnswIndex.load(buffer);
        if (index == null) {
            if (!create) {
                return null;
            }
            index = HnswIndex.create(settings.configFor(key), buffer);
        }
        metrics.keyCached(index.size(), index.tombstones());
        cache.put(new IndexCache.Entry(key, index, buffer));
        return index;
    }

    private void reject(Context ctx, String reason, IndexEvent event) {
        metrics.rejected();
        ctx.output(REJECTED, new RejectedEvent(reason, event));
    }
}
