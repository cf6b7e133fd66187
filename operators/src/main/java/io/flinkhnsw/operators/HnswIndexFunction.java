package io.flinkhnsw.operators;

import io.flinkhnsw.filter.CompiledFilter;
import io.flinkhnsw.filter.FieldIndex;
import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.filter.InvalidFilterException;
import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.InvalidVectorException;
import io.flinkhnsw.hnsw.KeyHeader;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.operators.state.KeyWriteBack;
import io.flinkhnsw.operators.state.KeyedIndexState;
import io.flinkhnsw.operators.state.PendingWriteCodec;
import io.flinkhnsw.operators.state.PayloadState;
import io.flinkhnsw.operators.state.SubscriptionState;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The keyed index logic: one {@link KeyIndex} per partition key (flat while small, a graph once it
 * grows), kept in keyed state ({@link KeyedIndexState}) and mirrored by an in-memory working copy
 * per recently used key within a memory budget in bytes ({@link IndexSettings#indexMemoryBytes});
 * what leaves memory is reloaded from state when needed, identical. Events are applied in arrival
 * order per key, so a query sees every earlier write of its key. Bad events, and upserts beyond a
 * key's vector limit, go to {@link #REJECTED} with a reason and leave the index unchanged; a drop
 * removes everything the key has. A key with filterable payload fields ({@link IndexSettings#filterFieldsFor})
 * keeps a {@link FieldIndex} beside its working copy, kept current by every upsert and delete and
 * rebuilt from the stored payloads when the key is loaded; a query's filter is compiled against it.
 * A key's standing queries live with its working copy ({@link SubscriptionBook}) and in keyed state;
 * {@link SubscriptionMaintainer} keeps them current and their updates go to {@link #UPDATES}.
 * Hosted by {@link HnswIndexOperator} (the way jobs use it) changes
 * are written back before checkpoints; used alone, each event's changes are written to state at its
 * end. Payloads are written to state directly. See docs/ARCHITECTURE.md, "The keyed operator".
 */
public class HnswIndexFunction extends KeyedProcessFunction<String, IndexEvent, QueryResult>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected", TypeInformation.of(RejectedEvent.class));
    /** The standing queries' updates ({@link SubscriptionMaintainer}). */
    public static final OutputTag<SubscriptionUpdate> UPDATES =
            new OutputTag<>("subscription-updates", TypeInformation.of(SubscriptionUpdate.class));

    private final IndexSettings settings;

    private transient EventValidator validator;
    private transient KeyedIndexState state;
    private transient PayloadState payloads;
    private transient SubscriptionState subscriptionState;
    private transient SubscriptionMaintainer subscriptions;
    private transient IndexCache cache;
    private transient OperatorMetrics metrics;
    private transient KeyStats stats;
    private transient ListState<long[]> statsState;
    private transient long budget;
    private transient long offHeapBudget;
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
    public void initializeState(FunctionInitializationContext context) throws Exception {
        TaskInfo task = getRuntimeContext().getTaskInfo();
        stats = new KeyStats(task.getMaxNumberOfParallelSubtasks(), task.getNumberOfParallelSubtasks(),
                task.getIndexOfThisSubtask());
        statsState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(KeyStats.STATE, LongPrimitiveArraySerializer.INSTANCE));
        if (context.isRestored()) {
            stats.restore(statsState.get());
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        statsState.update(stats.snapshot());
    }

    @Override
    public void open(OpenContext openContext) {
        validator = settings.validator();
        state = new KeyedIndexState(getRuntimeContext());
        payloads = new PayloadState(getRuntimeContext());
        budget = settings.indexMemoryBytes() > 0 ? settings.indexMemoryBytes()
                : IndexSettings.defaultIndexMemory(Runtime.getRuntime().maxMemory(), taskManagerSlots());
        offHeapBudget = IndexSettings.offHeapIndexMemory(budget, IndexSettings.maxDirectMemory(), taskManagerSlots());
        metrics = new OperatorMetrics(getRuntimeContext().getMetricGroup(), stats, budget);
        cache = new IndexCache(this::evict);
        subscriptionState = new SubscriptionState(getRuntimeContext());
        subscriptions = new SubscriptionMaintainer(payloads, settings, metrics);
    }

    private int taskManagerSlots() {
        if (getRuntimeContext() instanceof StreamingRuntimeContext streaming) {
            return streaming.getTaskManagerRuntimeInfo().getConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS);
        }
        return 1;
    }

    /** The index memory budget of this subtask in bytes. */
    long budget() {
        return budget;
    }

    /** Before a key or its graph leaves the cache: its unflushed changes are written under its own key. */
    private void evict(IndexCache.Entry entry) {
        if (entry.dirty()) {
            if (writeBack == null) {
                throw new IllegalStateException("key " + entry.key + " has unflushed changes outside write-back");
            }
            writeBack.runAs(entry.key, () -> flush(entry));
        }
    }

    /** Writes one key's marked changes to state; the current key must be {@code entry.key}. */
    private void flush(IndexCache.Entry entry) {
        int n = entry.writeBack.flush() + entry.subscriptions.flush(subscriptionState);
        cache.update(entry);
        if (n > 0) {
            metrics.flushed(n, cache);
        }
    }

    /**
     * Writes every dirty key's changes to keyed state, keys in the order they became dirty, each
     * under its own key. Called by {@link HnswIndexOperator} before checkpoint barriers and at end of
     * input; a no-op without write-back (nothing is ever left unwritten then).
     */
    void flushAll() {
        if (cache == null) {
            return;
        }
        for (IndexCache.Entry e : cache.takeDirty()) {
            if (writeBack == null) {
                flush(e);
            } else {
                writeBack.runAs(e.key, () -> flush(e));
            }
        }
    }

    /** Estimated bytes of changes not yet in keyed state, over all keys of this subtask. */
    long bufferedBytes() {
        return cache == null ? 0 : cache.pendingBytes();
    }

    /** Accounted bytes of the keys in memory. */
    long indexMemoryBytes() {
        return cache == null ? 0 : cache.totalBytes();
    }

    /** Direct memory of the keys in memory (their int8 graphs' full-precision vectors). */
    long indexOffHeapBytes() {
        return cache == null ? 0 : cache.offHeapBytes();
    }

    int cachedKeys() {
        return cache == null ? 0 : cache.size();
    }

    /** The operator's metrics (tests). */
    OperatorMetrics metrics() {
        return metrics;
    }

    /** The counts the gauges read (tests). */
    KeyStats stats() {
        return stats;
    }

    @Override
    public void processElement(IndexEvent event, Context ctx, Collector<QueryResult> out) {
        if (event.refusal != null) {
            // refused and dead-lettered upstream: only its answer is left to send, in order with the key's others
            out.collect(QueryResult.error(event.queryId, event.key, event.op == IndexEvent.Op.GET, event.refusal));
            return;
        }
        long start = System.nanoTime();
        String reason = validator.check(event);
        if (reason != null) {
            reject(ctx, out, reason, event);
            return;
        }
        String key = ctx.getCurrentKey();
        IndexCache.Entry entry = null;
        try {
            switch (event.op) {
                case UPSERT -> {
                    if (event.vector == null) {
                        entry = updatePayload(key, event, ctx, out);
                    } else if (!deferred(key, event)) {
                        entry = upsert(key, event, ctx, out);
                    }
                }
                case DELETE -> entry = deferred(key, event) ? null : delete(key, event, ctx);
                case QUERY -> {
                    entry = entryOf(key, false);
                    out.collect(query(key, entry, event));
                }
                case GET -> {
                    entry = entryOf(key, false);
                    out.collect(get(key, entry, event));
                }
                case DROP -> drop(key, ctx);
                case SUBSCRIBE -> entry = subscribe(key, event, ctx, out);
                case UNSUBSCRIBE -> entry = unsubscribe(key, event, ctx, out);
                default -> throw new IllegalStateException("validated op " + event.op);
            }
        } catch (InvalidVectorException | InvalidFilterException e) {
            reject(ctx, out, e.getMessage(), event);
        }
        afterEvent(entry);
        metrics.afterEvent(cache, (System.nanoTime() - start) / 1000);
    }

    /** After each event: account the key's bytes, write its changes (without write-back), keep the budgets. */
    private void afterEvent(IndexCache.Entry entry) {
        if (entry == null) {
            return;
        }
        cache.touch(entry);
        cache.update(entry);
        if (writeBack == null) {
            flush(entry);
        }
        metrics.evicted(cache.evictOver(budget, offHeapBudget, entry));
        if (cache.pendingBytes() > settings.writeBufferBytes()) {
            flushAll();
        }
    }

    private IndexCache.Entry upsert(String key, IndexEvent event, Context ctx, Collector<QueryResult> out) {
        IndexCache.Entry entry = entryOf(key, true);
        KeyIndex index = entry.index;
        int dimension = index.dimension() > 0 ? index.dimension() : event.vector.length;
        if (index.size() >= maxVectors(key, dimension, index.config().m()) && !index.contains(event.id)) {
            reject(ctx, out, "key '" + key + "' holds " + index.size() + " vectors, its limit (--max-vectors-per-key, or"
                    + " max-vectors for its prefix in --key-overrides; by default as many as fit in"
                    + " --index-memory): raise the limit or shard the key (--shards, or shards for its prefix)", event);
            return entry;
        }
        String conflict = subscriptions.checkDimension(entry, event.vector);
        if (conflict != null) {
            reject(ctx, out, conflict, event);
            return entry;
        }
        float[] previous = subscriptions.vectorBeforeWrite(entry, event.id);
        boolean replacing = applyUpsert(key, index, event.id, event.vector);
        // a new id has no payload to clear: skip the state delete, one less RocksDB write per insert
        if (event.payload != null || replacing) {
            payloads.put(event.id, event.payload);
        }
        if (entry.fields != null) {
            entry.fields.put(event.id, event.payload);
        }
        subscriptions.upserted(entry, event.id, previous, updates(ctx));
        return entry;
    }

    /** Upserts into the working copy and counts it; returns whether the id had a vector. */
    private boolean applyUpsert(String key, KeyIndex index, String id, float[] vector) {
        int live = index.size();
        int dead = index.tombstones();
        boolean existed = index.dimension() > 0;
        boolean wasGraph = index.isGraph();
        long start = System.nanoTime();
        boolean replacing = index.upsert(id, vector);
        if (!existed) {
            stats.count(key, 1, false, 0, 0);
        }
        if (!wasGraph && index.isGraph()) {
            stats.becameGraph(key);
        }
        stats.vectorsChanged(key, index.size() - live, index.tombstones() - dead);
        metrics.upserted((System.nanoTime() - start) / 1000);
        return replacing;
    }

    /**
     * An upsert without a vector: replaces the payload of an id the key holds, leaving its vector and
     * the graph alone (payloads live in their own state, written directly, so nothing of the index
     * changes or is marked for write-back; a filterable key re-indexes the id's fields). An unknown id
     * is rejected.
     */
    private IndexCache.Entry updatePayload(String key, IndexEvent event, Context ctx, Collector<QueryResult> out) {
        IndexCache.Entry entry = entryOf(key, false);
        if (entry == null || !entry.index.contains(event.id)) {
            reject(ctx, out, unknownPayloadId(event.id), event);
        } else {
            payloads.put(event.id, event.payload);
            if (entry.fields != null) {
                entry.fields.put(event.id, event.payload);
            }
            metrics.payloadUpdated();
            subscriptions.payloadChanged(entry, event.id, updates(ctx));
        }
        return entry;
    }

    /** Why a payload-only upsert of {@code id}, which the key does not hold, is refused. */
    static String unknownPayloadId(String id) {
        return "upsert without a vector of unknown id '" + id + "': an upsert without a vector"
                + " only replaces the payload of an id the key holds; send a vector to add it";
    }

    /** Whether {@code key}'s index is in memory (so it exists). */
    boolean inMemory(String key) {
        return cache.get(key) != null;
    }

    /** Whether {@code key}, the current key, has an index here, in memory or in state. */
    boolean holdsIndex(String key) {
        return inMemory(key) || state.keyHeader() != null || state.graphHeader() != null;
    }

    /**
     * The most vectors {@code key} may hold: as configured, or as many as fit the memory budget;
     * never more than one index of its dimension can hold.
     */
    private long maxVectors(String key, int dimension, int m) {
        long configured = settings.maxVectorsFor(key);
        long limit = configured > 0 ? configured : budget / KeyIndex.estimatedBytesPerVector(dimension, m);
        return Math.max(1, Math.min(limit, KeyIndex.maxVectors(dimension, m)));
    }

    private IndexCache.Entry subscribe(String key, IndexEvent event, Context ctx, Collector<QueryResult> out) {
        IndexCache.Entry entry = entryOf(key, true);
        String reason = subscriptions.subscribe(entry, event, updates(ctx));
        if (reason != null) {
            reject(ctx, out, reason, event);
        }
        return entry;
    }

    private IndexCache.Entry unsubscribe(String key, IndexEvent event, Context ctx, Collector<QueryResult> out) {
        IndexCache.Entry entry = entryOf(key, false);
        String reason = entry == null ? "unsubscribe of unknown subscription '" + event.subscriptionId + "' on key '"
                + key + "'" : subscriptions.unsubscribe(entry, event, updates(ctx));
        if (reason != null) {
            reject(ctx, out, reason, event);
        }
        return entry;
    }

    private static Consumer<SubscriptionUpdate> updates(Context ctx) {
        return update -> ctx.output(UPDATES, update);
    }

    private IndexCache.Entry delete(String key, IndexEvent event, Context ctx) {
        IndexCache.Entry entry = entryOf(key, false);
        if (entry == null) {
            metrics.noopDelete();
            return null;
        }
        float[] previous = subscriptions.vectorBeforeWrite(entry, event.id);
        if (applyDelete(key, entry.index, event.id)) {
            payloads.remove(event.id);
            if (entry.fields != null) {
                entry.fields.remove(event.id);
            }
            subscriptions.deleted(entry, event.id, previous, updates(ctx));
        }
        return entry;
    }

    /** Deletes from the working copy and counts it; returns whether the id was there. */
    private boolean applyDelete(String key, KeyIndex index, String id) {
        int live = index.size();
        int dead = index.tombstones();
        if (!index.delete(id)) {
            metrics.noopDelete();
            return false;
        }
        stats.vectorsChanged(key, index.size() - live, index.tombstones() - dead);
        metrics.deleted();
        return true;
    }

    /**
     * Logs an upsert or delete of a key whose working copy is not in memory instead of loading it,
     * when the write can only touch the key's backlog and cannot be refused: the key exists and is
     * not draining, has no standing queries (they must see every write as it happens), its graph
     * (if any) does not hold the id, the backlog stays below the flat limit
     * and the key below its vector limit even if every logged write adds a vector, and the vector
     * fits the key. Its payload is written now, as for any write; the logged writes are applied, in
     * order, when the key is next loaded ({@link #replayPendingWrites}), which gives the index they
     * would have given at once, since no other event of the key comes between. Returns false,
     * having changed nothing, when the write must be applied now.
     */
    private boolean deferred(String key, IndexEvent event) {
        if (cache.get(key) != null || event.id == null || event.id.isEmpty()) {
            return false;
        }
        if (!subscriptionState.isEmpty()) {
            return false; // standing queries see every write as it happens
        }
        KeyHeader header = state.keyHeader();
        if (header == null || header.dimension() == 0 || header.draining()) {
            return false;
        }
        int pending = state.pendingWrites();
        int dimension = header.dimension();
        if (header.flatCount() + pending + 1 >= KeyIndex.flatLimit(settings.flatLimit(), dimension)) {
            return false;
        }
        long live = header.flatCount();
        if (header.graph()) {
            GraphHeader graph = state.graphHeader();
            live += graph == null ? 0 : graph.liveCount();
            if (state.graphHasId(event.id)) {
                return false;
            }
        }
        if (event.op == IndexEvent.Op.UPSERT) {
            if (live + pending + 1 >= maxVectors(key, dimension, header.config().m())) {
                return false;
            }
            try {
                KeyIndex.checkVector(header, event.vector);
            } catch (InvalidVectorException e) {
                return false; // refused the usual way
            }
            state.appendPendingWrite(pending, PendingWriteCodec.upsert(event.id, event.vector));
            payloads.put(event.id, event.payload);
        } else {
            state.appendPendingWrite(pending, PendingWriteCodec.delete(event.id));
            payloads.remove(event.id);
        }
        metrics.deferredWrite();
        return true;
    }

    /** Applies the key's logged writes to its freshly loaded working copy, counting them as they are applied. */
    private void replayPendingWrites(String key, KeyIndex index) {
        if (state.pendingWrites() == 0) {
            return;
        }
        state.forEachPendingWrite(new PendingWriteCodec.Visitor() {
            @Override
            public void upsert(String id, float[] vector) {
                applyUpsert(key, index, id, vector);
            }

            @Override
            public void delete(String id) {
                applyDelete(key, index, id);
            }
        });
        state.clearPendingWrites();
    }

    /**
     * Searches with the query's vector, or with the vector of its example ids ({@link ExampleVector}),
     * leaving the examples out: it asks the index for as many more neighbours as there are examples,
     * so k others come back when the key has them. An unknown example id answers with an error.
     */
    private QueryResult query(String key, IndexCache.Entry entry, IndexEvent event) {
        KeyIndex index = entry == null || entry.index.dimension() == 0 ? null : entry.index;
        long start = System.nanoTime();
        float[] vector = event.vector;
        Set<String> examples = Set.of();
        if (vector == null) {
            ExampleVector ex = ExampleVector.of(index, event);
            if (ex.unknownId != null) {
                metrics.queried(0);
                return QueryResult.error(event.queryId, key, false, "unknown id: " + ex.unknownId);
            }
            vector = ex.vector;
            examples = ex.examples;
        }
        if (index == null) {
            metrics.queried(0);
            QueryResult empty = new QueryResult(event.queryId, key, new ArrayList<>(0), 0, 0);
            empty.vote = event.vote == null ? null : KnnVote.of(event.vote, empty.neighbours);
            return empty;
        }
        int k = event.k + examples.size();
        // an explicit ef wins; the index's default is chosen for the k asked for, and widened to the k searched
        int ef = Math.max(k, index.config().efFor(event.k, event.ef));
        SearchResult hits = index.search(vector, k, ef, filterOf(entry, event));
        List<Neighbour> neighbours = new ArrayList<>(Math.min(event.k, hits.size()));
        for (int i = 0; i < hits.size() && neighbours.size() < event.k; i++) {
            String id = hits.id(i);
            if (!examples.contains(id)) {
                neighbours.add(new Neighbour(id, hits.distance(i), payloads.get(id)));
            }
        }
        long micros = (System.nanoTime() - start) / 1000;
        metrics.queried(micros);
        QueryResult result = new QueryResult(event.queryId, key, neighbours, index.size(), micros);
        result.vote = event.vote == null ? null : KnnVote.of(event.vote, neighbours);
        return result;
    }

    /** The stored vector and payload of the get's id, or an error when the key does not hold it. */
    private QueryResult get(String key, IndexCache.Entry entry, IndexEvent event) {
        long start = System.nanoTime();
        float[] vector = entry == null || entry.index.dimension() == 0 ? null : entry.index.vector(event.id);
        QueryResult r = QueryResult.got(event.queryId, key, event.id, vector,
                vector == null ? null : payloads.get(event.id));
        metrics.queried((System.nanoTime() - start) / 1000);
        return r;
    }

    /**
     * The query's filter compiled against its key's field index; null without a filter. The filter
     * was checked by the validator against the same declared fields, so a key without a field index
     * (none declared) never gets here with one.
     */
    private CompiledFilter filterOf(IndexCache.Entry entry, IndexEvent event) {
        if (event.filter == null) {
            return null;
        }
        return entry.fields.compile(validator.filter(event));
    }

    /** Removes everything {@code key} has: its working copy (unwritten changes included), its state, its payloads. */
    private void drop(String key, Context ctx) {
        IndexCache.Entry cached = cache.get(key);
        subscriptions.dropped(key, cached != null ? cached.subscriptions
                : SubscriptionBook.load(subscriptionState, settings.configFor(key).metric()), updates(ctx));
        if (cached != null) {
            if (cached.index.dimension() > 0) {
                stats.count(key, -1, cached.index.isGraph(), cached.index.size(), cached.index.tombstones());
            }
        } else {
            KeyHeader header = state.keyHeader();
            if (header != null && header.dimension() > 0) {
                GraphHeader graph = header.graph() ? state.graphHeader() : null;
                stats.count(key, -1, header.graph(), header.flatCount() + (graph == null ? 0 : graph.liveCount()),
                        graph == null ? 0 : graph.tombstoneCount());
            }
        }
        cache.discard(key);
        state.clear();
        payloads.clear();
        subscriptionState.clear();
        metrics.dropped();
    }

    /**
     * The working copy of {@code key}: from the cache, else loaded from state, else (when
     * {@code create}) a new empty index with the key's configured parameters; null when the key has
     * no index and none is to be created.
     */
    private IndexCache.Entry entryOf(String key, boolean create) {
        IndexCache.Entry cached = cache.get(key);
        if (cached != null) {
            metrics.cacheHit();
            return cached;
        }
        metrics.cacheMiss();
        KeyWriteBack.Opened opened = KeyWriteBack.load(state, settings.flatLimit(), metrics::loaded);
        if (opened != null) {
            if (opened.v1()) {
                // a key of the v1 layout: counted from now on (see KeyStats)
                KeyIndex i = opened.index();
                stats.count(key, 1, true, i.size(), i.tombstones());
            }
        } else if (create) {
            HnswConfig config = settings.configFor(key);
            opened = KeyWriteBack.create(state, config, settings.flatLimit(), metrics::loaded);
        } else {
            return null;
        }
        replayPendingWrites(key, opened.index());
        IndexCache.Entry entry = new IndexCache.Entry(key, opened.index(), opened.writeBack(), fieldIndex(key),
                SubscriptionBook.load(subscriptionState, opened.index().config().metric()));
        cache.put(entry);
        return entry;
    }

    /**
     * A field index of {@code key}'s declared filterable fields, filled from its stored payloads (a
     * pass over them, once per load of the key); null when it has none declared.
     */
    private FieldIndex fieldIndex(String key) {
        FilterFields declared = settings.filterFieldsFor(key);
        if (declared.isEmpty()) {
            return null;
        }
        FieldIndex fields = new FieldIndex(declared);
        payloads.forEach(fields::put);
        return fields;
    }

    /**
     * Sends a refused event to {@link #REJECTED}; a refused query or get with a queryId is also
     * answered, with the reason as its error, so its asker does not wait for an answer forever.
     */
    void reject(Context ctx, Collector<QueryResult> out, String reason, IndexEvent event) {
        metrics.rejected();
        ctx.output(REJECTED, new RejectedEvent(reason, event));
        if (event.queryId != null && (event.op == IndexEvent.Op.QUERY || event.op == IndexEvent.Op.GET)) {
            out.collect(QueryResult.error(event.queryId, event.key, event.op == IndexEvent.Op.GET, reason));
        }
    }
}
