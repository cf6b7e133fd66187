package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.InvalidVectorException;
import io.flinkhnsw.hnsw.VectorValidator;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Stage 1 of the index: {@link HnswIndexFunction} for unsharded keys, unchanged, and the router of
 * sharded keys. A key is sharded when its first upsert finds {@link IndexSettings#shardsFor} above 1
 * and no unsharded index of the key; the router then records the count in the key's state
 * ({@value #ROUTE_STATE}) and the key keeps it until dropped, whatever the settings say later (a
 * differing setting is counted in {@code shardCountKept} and logged), so an id never lives in two
 * shards. For a sharded key it keeps each id's stored vector ({@value #VECTORS_STATE}, RocksDB keyed
 * state) and sends to {@link #SHARD_EVENTS}: an upsert or delete to the id's shard, a drop to every
 * shard, a get to the id's shard, and a query, resolved to a vector here (by id or by examples), to
 * every shard, each under the shard's sub-key ({@link ShardKeys}); the merge step learns what to
 * wait for from {@link #SHARDED_QUERIES}. What only the key can check (its dimension, a zero vector
 * under cosine, a payload-only upsert of an unknown id, an unknown example id) is checked here, so
 * the shards see only events they accept. See docs/ARCHITECTURE.md, "Sharded keys".
 */
public class ShardRouterFunction extends HnswIndexFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ShardRouterFunction.class);
    private static final int MAX_KEYS_LOGGED = 1000;

    public static final OutputTag<IndexEvent> SHARD_EVENTS =
            new OutputTag<>("shard-events", TypeInformation.of(IndexEvent.class));
    public static final OutputTag<ShardedQuery> SHARDED_QUERIES =
            new OutputTag<>("sharded-queries", TypeInformation.of(ShardedQuery.class));

    static final String ROUTE_STATE = "hnsw-shard-route";
    static final String VECTORS_STATE = "hnsw-shard-vectors";
    // the route state: shard count, dimension, metric ordinal, a slot no longer read (routes written
    // before merge keys were drawn per instance kept their query sequence there), the default ef of
    // the key's config when it was created (routes written before it have no fifth slot)
    private static final int SHARDS = 0;
    private static final int DIMENSION = 1;
    private static final int METRIC = 2;
    private static final int DEFAULT_EF = 4;
    private static final int ROUTE_SLOTS = 5;

    private final IndexSettings settings;

    private transient EventValidator validator;
    private transient ValueState<long[]> route;
    private transient String mergeKeyPrefix;
    private transient long nextQuery;
    private transient MapState<String, float[]> vectors;
    private transient ShardKeys shardKeys;
    private transient Counter shardCountKept;
    private transient Set<String> keptLogged;

    public ShardRouterFunction(IndexSettings settings) {
        super(settings);
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        super.open(openContext);
        validator = settings.validator();
        route = getRuntimeContext().getState(new ValueStateDescriptor<>(ROUTE_STATE, LongPrimitiveArraySerializer.INSTANCE));
        vectors = getRuntimeContext().getMapState(new MapStateDescriptor<>(VECTORS_STATE, StringSerializer.INSTANCE,
                FloatPrimitiveArraySerializer.INSTANCE));
        shardKeys = new ShardKeys(getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks());
        shardCountKept = getRuntimeContext().getMetricGroup().addGroup("hnsw").counter("shardCountKept");
        keptLogged = new HashSet<>();
        mergeKeyPrefix = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".";
    }

    @Override
    public void processElement(IndexEvent event, Context ctx, Collector<QueryResult> out) {
        String key = ctx.getCurrentKey();
        long[] r = routeOf(key, event);
        if (r == null || event.refusal != null || validator.check(event) != null) {
            // unsharded, or refused: the index function answers exactly as for any key
            super.processElement(event, ctx, out);
            return;
        }
        try {
            routeEvent(key, r, event, ctx, out);
        } catch (InvalidVectorException e) {
            reject(ctx, out, e.getMessage(), event);
        } catch (Exception e) {
            throw new IllegalStateException("routing " + event + " of sharded key " + key, e);
        }
    }

    /**
     * The key's route when it is sharded (recorded, or to be created by this upsert), else null.
     * A key whose index is in memory is unsharded: no state read for it.
     */
    private long[] routeOf(String key, IndexEvent event) {
        if (inMemory(key)) {
            return null;
        }
        long[] recorded = state(route::value);
        int configured = settings.shardsFor(key);
        if (recorded != null) {
            if (recorded[SHARDS] != configured) {
                shardCountKept.inc();
                if (keptLogged.size() < MAX_KEYS_LOGGED && keptLogged.add(key)) {
                    LOG.warn("key {} keeps the {} shards it was created with; the settings now say {} (drop the key to"
                            + " re-create it with the new count)", key, recorded[SHARDS], configured);
                }
            }
            return recorded;
        }
        if (configured == 1 || event.op != IndexEvent.Op.UPSERT || event.vector == null || holdsIndex(key)) {
            // not sharded, not created by this event, or created unsharded before the setting (it stays so)
            return null;
        }
        HnswConfig config = settings.configFor(key);
        long[] created = new long[ROUTE_SLOTS];
        created[SHARDS] = configured;
        created[METRIC] = config.metric().ordinal();
        created[DEFAULT_EF] = config.defaultEf();
        return created;
    }

    private void routeEvent(String key, long[] r, IndexEvent event, Context ctx, Collector<QueryResult> out)
            throws Exception {
        String[] shards = shardKeys.of(key, (int) r[SHARDS]);
        String idShard = event.id == null ? null : shards[ShardKeys.shardOf(event.id, shards.length)];
        switch (event.op) {
            case UPSERT -> {
                if (event.vector != null) {
                    float[] stored = VectorValidator.prepare(event.vector, (int) r[DIMENSION], metric(r), "vector");
                    if (r[DIMENSION] == 0) {
                        r[DIMENSION] = stored.length;
                        route.update(r);
                    }
                    vectors.put(event.id, stored);
                } else if (!vectors.contains(event.id)) {
                    reject(ctx, out, unknownPayloadId(event.id), event);
                    return;
                }
                ctx.output(SHARD_EVENTS, forShard(event, idShard));
            }
            case DELETE -> {
                vectors.remove(event.id);
                ctx.output(SHARD_EVENTS, forShard(event, idShard));
            }
            case GET -> {
                String mergeKey = nextMergeKey(key);
                ctx.output(SHARDED_QUERIES, new ShardedQuery(mergeKey, key, event, new String[0], 1));
                IndexEvent get = forShard(event, idShard);
                get.queryId = mergeKey;
                ctx.output(SHARD_EVENTS, get);
            }
            case QUERY -> query(key, r, shards, event, ctx, out);
            case DROP -> {
                vectors.clear();
                route.clear();
                for (String shard : shards) {
                    ctx.output(SHARD_EVENTS, forShard(event, shard));
                }
            }
            // an op added later (e.g. a standing query) is refused on sharded keys until it is routed
            default -> reject(ctx, out, "op " + event.op.name().toLowerCase(Locale.ROOT)
                    + " on sharded keys is not supported yet", event);
        }
    }

    /**
     * Resolves the query's vector (its own, or its examples' from the stored vectors) and sends it to
     * every shard with k plus the examples, so k others come back; the merge leaves the examples out.
     */
    private void query(String key, long[] r, String[] shards, IndexEvent event, Context ctx,
                       Collector<QueryResult> out) throws Exception {
        int dimension = (int) r[DIMENSION];
        float[] vector = event.vector;
        String[] examples = new String[0];
        if (vector == null) {
            ExampleVector ex = ExampleVector.of(dimension, id -> state(() -> vectors.get(id)), event);
            if (ex.unknownId != null) {
                out.collect(QueryResult.error(event.queryId, key, false, "unknown id: " + ex.unknownId));
                return;
            }
            vector = ex.vector;
            examples = ex.examples.toArray(String[]::new);
        }
        VectorValidator.check(vector, dimension, metric(r), "query vector");
        String mergeKey = nextMergeKey(key);
        ctx.output(SHARDED_QUERIES, new ShardedQuery(mergeKey, key, event, examples, shards.length));
        int k = event.k + examples.length;
        int ef = shardEf(keyConfig(key, r).efFor(event.k, event.ef), shards.length, k);
        for (String shard : shards) {
            IndexEvent q = forShard(event, shard);
            q.queryId = mergeKey;
            q.vector = vector;
            q.id = null;
            q.like = null;
            q.unlike = null;
            q.vote = null;
            q.k = k;
            q.ef = ef;
            ctx.output(SHARD_EVENTS, q);
        }
    }

    /**
     * The key's config as far as the router knows it: the settings' config for the key with the
     * default ef the key was created with (the settings' own for a route written before routes
     * recorded it), so a query without an ef searches as the key was configured, as an unsharded
     * key's header keeps its config across restores with other settings.
     */
    private HnswConfig keyConfig(String key, long[] r) {
        HnswConfig now = settings.configFor(key);
        return r.length > DEFAULT_EF ? now.withDefaultEf((int) r[DEFAULT_EF]) : now;
    }

    /**
     * The beam each of {@code shards} shards searches with for a query of the key at {@code keyEf}:
     * {@code ceil(keyEf * (shards + 1) / (2 * shards))}, at least {@code k}. The shards together see
     * (shards + 1) / 2 times the candidates of one graph at {@code keyEf}, and each holds only about
     * 1/shards of the key's nearest, so the merged recall is at least the unsharded one while a query
     * does not cost {@code shards} full searches (docs/ARCHITECTURE.md, "Sharded keys").
     */
    static int shardEf(int keyEf, int shards, int k) {
        assert keyEf > 0 && shards > 0 && k > 0;
        long perShard = ((long) keyEf * (shards + 1) + 2L * shards - 1) / (2L * shards);
        return (int) Math.max(k, perShard);
    }

    /**
     * A merge key unique among the queries in flight: this instance's random prefix, drawn when it
     * opens, and a sequence. Nothing about it is stored per query: the merge keys of queries a
     * checkpoint holds in flight carry an earlier instance's prefix, so the queries of a restored
     * router never meet them (a collision needs two 64-bit draws to agree).
     */
    private String nextMergeKey(String key) {
        return mergeKeyPrefix + nextQuery++ + "@" + key;
    }

    private static Metric metric(long[] r) {
        return Metric.values()[(int) r[METRIC]];
    }

    /** {@code event} for the shard keyed {@code subKey}: a copy under the sub-key. */
    private static IndexEvent forShard(IndexEvent event, String subKey) {
        IndexEvent e = new IndexEvent();
        e.op = event.op;
        e.key = subKey;
        e.id = event.id;
        e.queryId = event.queryId;
        e.vector = event.vector;
        e.payload = event.payload;
        e.k = event.k;
        e.ef = event.ef;
        e.filter = event.filter;
        e.sourceTopic = event.sourceTopic;
        e.sourcePartition = event.sourcePartition;
        e.sourceOffset = event.sourceOffset;
        e.like = event.like;
        e.unlike = event.unlike;
        e.vote = event.vote;
        return e;
    }

    private interface StateRead<T> {
        T read() throws Exception;
    }

    private static <T> T state(StateRead<T> read) {
        try {
            return read.read();
        } catch (Exception e) {
            throw new IllegalStateException("reading the shard route", e);
        }
    }
}
