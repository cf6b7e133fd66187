package io.flinkhnsw.job.local;

import io.flinkhnsw.bench.CoreBuild;
import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.cli.JobOptions;
import io.flinkhnsw.job.cli.KafkaOptions;
import io.flinkhnsw.job.codec.EventCodec;
import io.flinkhnsw.job.codec.VectorEncoding;
import io.flinkhnsw.job.kafka.KafkaClientConfig;
import io.flinkhnsw.job.kafka.Topics;
import io.flinkhnsw.job.pipeline.FailOnceAfter;
import io.flinkhnsw.job.tools.EventWriter;
import io.flinkhnsw.job.tools.OutputReader;
import io.flinkhnsw.operators.HnswIndexOperator;
import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.Neighbour;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.SubscriptionUpdate;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * {@code java -jar flink-hnsw.jar local}: starts a Kafka broker and the job on a Flink MiniCluster
 * in this process, streams a data set in as upserts (plus optional deletes and three deliberately
 * bad events), waits until the index holds it, sends the queries, reads the answers back from the
 * results topic with read_committed and prints progress to stderr and one summary JSON line to
 * stdout. With {@code --serve} it leaves broker and job running for any Kafka client until it is
 * stopped with SIGINT or SIGTERM, then says "stopped" and exits 0. With {@code --bootstrap-servers}
 * (or a bootstrap.servers Kafka property) it uses that broker instead of starting one.
 */
@Command(name = "local", sortOptions = false, mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"embedded Kafka + Flink MiniCluster: stream a data set in, query it, print a summary "
                + "(--serve keeps it running)",
            "Without --bootstrap-servers (or a bootstrap.servers Kafka property) a broker is started in this process."})
public final class LocalCommand implements Callable<Integer> {
    private static final String BARRIER = "__ingest-barrier";
    /** The ingest warm-up sends a query after every this many upserts. */
    private static final int WARMUP_QUERY_EVERY = 5;
    /** The most untimed queries before the timed ones. */
    private static final int MAX_QUERY_WARMUP = 1000;
    private static final String WARMUP_KEY = "__local-warmup";
    private static final String WARMUP_BARRIER = "__warmup-barrier";
    /** queryId prefix of the queries sent among the upserts (--queries-during-ingest). */
    private static final String DURING_INGEST = "ingest-q-";
    /** subscriptionId prefix of the standing queries (--subscriptions). */
    private static final String SUBSCRIPTION = "s-";
    /** Id prefix of the upserts (and then deletes) sent next to subscriptions to time their updates. */
    private static final String PROBE = "probe-";
    /** The most probes: each is an upsert and a delete, sent at the query rate. */
    private static final int MAX_PROBES = 200;
    private static final String UPDATES_BARRIER = "__updates-barrier";
    /** How long after {@link #UPDATES_BARRIER}'s answer the timed updates may still arrive (another topic). */
    private static final Duration UPDATES_GRACE = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofMinutes(15);
    /** How often {@link #awaitApplied} reads the index's upsert counter: the resolution of {@code ingest_per_s}. */
    private static final long APPLIED_POLL_MS = 2;
    /** At most this many bytes of the timed load are encoded before it is timed. */
    private static final long ENCODED_AHEAD_BYTES = 512L << 20;

    @Option(names = "--base", paramLabel = "FILE.fvecs", description = "vectors to upsert (default: a generated clustered set)")
    Path base;
    @Option(names = "--size", paramLabel = "N", description = "size of the generated set; size/25 queries")
    int size = 5000;
    @Option(names = "--dim", paramLabel = "N", description = "dimension of the generated set")
    int dim = 64;
    @Option(names = "--queries", paramLabel = "FILE.fvecs", description = "query vectors (default with --base: its first 100 rows)")
    Path queries;
    @Option(names = "--groundtruth", paramLabel = "FILE.ivecs", description = "exact neighbours, 0-based base rows (default: brute force)")
    Path groundtruth;
    @Option(names = "--k", paramLabel = "N", description = "neighbours per query and recall@k")
    int k = 10;
    @Option(names = "--deletes", paramLabel = "N", description = "delete the first N ids after loading")
    int deletes;
    @Option(names = "--key", paramLabel = "NAME", description = "partition key of all events")
    String key = "default";
    @Option(names = "--query-rate", paramLabel = "N", description = "queries sent per second")
    double queryRate = 200;
    @Option(names = "--vector-encoding", paramLabel = "json|b64",
            description = "send vectors as JSON arrays ('vector') or base64 of little-endian float32 ('vector_b64')")
    VectorEncoding vectorEncoding = VectorEncoding.JSON;
    @Option(names = "--queries-during-ingest", arity = "0..1", paramLabel = "true|false",
            description = "also send the queries interleaved with the upserts and report their search times "
                    + "(ingest_search_p50_ms, ingest_search_p99_ms) next to those on the loaded index")
    boolean queriesDuringIngest;
    @Option(names = "--subscriptions", paramLabel = "N",
            description = "standing queries (the query vectors in turn, k = --k) subscribed on the key before the load; "
                    + "after the queries, an upsert of each subscription's own vector (at most " + MAX_PROBES + ") and "
                    + "then its delete go out at --query-rate, and the updates they cause are timed from send to "
                    + "visible on the updates topic (update_p50_ms, update_p99_ms); subscription_recall_at_k compares "
                    + "each subscription's last list with the exact top-k")
    int subscriptions;
    @Option(names = "--warmup", paramLabel = "N",
            description = "JIT warm-up, not timed: N synthetic vectors built into a throwaway core index, N synthetic "
                    + "upserts (a query after every 5) streamed through the job on a key of their own, and N/5 "
                    + "queries (at most 1000) at --query-rate before the timed ones (0 = none)")
    int warmup = CoreBuild.DEFAULT_JIT_WARMUP;
    @Option(names = "--inject-failure-after", paramLabel = "N", description = "fail the job once after N events (0 = never)")
    long injectFailureAfter;
    @Option(names = "--serve", arity = "0..1", paramLabel = "true|false",
            description = "keep broker and job running for any Kafka client; Ctrl-C or SIGTERM stops")
    boolean serve;

    @Mixin
    KafkaOptions kafkaOptions;
    @Mixin
    JobOptions job = new JobOptions(JobConfig.builder().parallelism(2).checkpointIntervalMs(1000)
            .transactionTimeoutMs(60_000).groupId("flink-hnsw-local").build());

    @Spec
    CommandSpec spec;

    private final Progress progress = new Progress();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private Path dir;
    private EmbeddedKafka kafka;
    private LocalFlink flink;

    /** Runs and prints the summary line (or, with --serve, the connection details) to the command's stdout. */
    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (subscriptions < 0 || subscriptions > Limits.MAX_SUBSCRIPTIONS_PER_KEY) {
            throw new IllegalArgumentException("--subscriptions must be in [0, " + Limits.MAX_SUBSCRIPTIONS_PER_KEY
                    + "] (the subscriptions a key may hold), got " + subscriptions);
        }
        if (subscriptions > 0 && k > Limits.MAX_SUBSCRIPTION_K) {
            throw new IllegalArgumentException("--subscriptions needs --k at most " + Limits.MAX_SUBSCRIPTION_K
                    + " (what a standing query may ask for), got " + k);
        }
        String external = kafkaOptions.bootstrapServers(null);
        // checked before anything starts; an embedded broker's address is known once it runs
        JobConfig config = job.toConfig(kafkaOptions, external != null ? external : "127.0.0.1:0").toBuilder()
                .injectFailureAfter(injectFailureAfter).build();
        DataSet data = null;
        CoreBuild core = null;
        if (!serve) {
            data = base == null ? DataSet.generate(size, Math.max(1, size / 25), dim, 7) : DataSet.load(base, queries, groundtruth);
            progress.say("data: " + data.name + ": " + data.base.length + " vectors of dimension " + data.base[0].length
                    + ", " + data.queries.length + " queries; core insert rate on them (in memory, one thread):");
            // before the broker and the job start, so nothing else runs while the core is timed
            core = CoreBuild.run(config.indexSettings().configFor(key), data.base, warmup,
                    line -> progress.say("core: " + line));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "local-shutdown"));
        dir = Files.createTempDirectory("flink-hnsw-local-");
        String bootstrap = external;
        if (bootstrap == null) {
            progress.say("starting Kafka broker (KRaft) in " + dir);
            kafka = EmbeddedKafka.start(dir.resolve("kafka"));
            bootstrap = kafka.bootstrapServers();
            config = config.toBuilder().bootstrapServers(bootstrap).build();
        }
        if (!config.kafka.properties().isEmpty()) {
            progress.say("Kafka client properties: " + KafkaClientConfig.describe(config.kafka.properties()));
        }
        List<String> topics = new ArrayList<>(List.of(config.eventsTopic, config.resultsTopic, config.deadLetterTopic,
                config.updatesTopic));
        if (config.queriesTopic != null) topics.add(config.queriesTopic);
        Topics.create(config.kafka, 2, topics);
        progress.say("Kafka " + (external == null ? "up" : "reachable") + " at " + bootstrap
                + "; starting Flink MiniCluster (RocksDB, checkpoints every " + config.checkpointIntervalMs + " ms, "
                + JobConfig.deliveryName(config.delivery) + ")");
        FailOnceAfter.reset();
        flink = LocalFlink.start(config, dir.resolve("flink"), "flink-hnsw local");
        if (serve) {
            return serve(config, out);
        }
        try {
            Summary s = stream(config, data);
            s.coreInsertsPerSecond = core.insertsPerSecond();
            s.coreCpuSeconds = core.cpuSeconds;
            out.println(s.toJson());
            out.flush();
            return Cli.OK;
        } finally {
            stop();
        }
    }

    private Summary stream(JobConfig config, DataSet data) throws Exception {
        int dim = data.base[0].length;
        int n = data.base.length;
        int deletes = Math.max(0, Math.min(this.deletes, n - 1));
        int nq = data.queries.length;
        String queryTopic = config.queriesTopic != null ? config.queriesTopic : config.eventsTopic;
        Summary s = new Summary();
        s.k = k;
        s.delivery = JobConfig.deliveryName(config.delivery);
        s.vectorEncoding = vectorEncoding.toString();
        try (OutputReader out = new OutputReader(config.kafka, config.resultsTopic, config.deadLetterTopic,
                subscriptions > 0 ? config.updatesTopic : null);
             EventWriter events = new EventWriter(config.kafka, config.eventsTopic, vectorEncoding);
             EventWriter queryWriter = new EventWriter(config.kafka, queryTopic, vectorEncoding)) {
            // Streaming starts once the job runs and has checkpointed, so timings measure the index, not start-up.
            waitFor(out, () -> flink.completedCheckpoints() >= 1, "the job to start");
            warmUp(events, out, dim);
            subscribe(events, out, data.queries);
            int duringIngest = queriesDuringIngest ? Math.min(nq, n) : 0;
            List<IndexEvent> load = load(data, duringIngest);
            byte[][] encoded = encodeAhead(load);
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            progress.say("job running; streaming " + n + " upserts"
                    + (duringIngest > 0 ? " with " + duringIngest + " queries among them" : "")
                    + (encoded.length == load.size() ? "" : " (" + encoded.length + " encoded ahead)"));
            long t0 = System.nanoTime();
            double indexCpu0 = CpuClock.threads(HnswIndexOperator.NAME);
            double processCpu0 = CpuClock.process();
            double compiling0 = CpuClock.compiling();
            int upsertsSent = 0;
            for (int i = 0; i < load.size(); i++) {
                IndexEvent e = load.get(i);
                events.sendRaw(keyBytes, i < encoded.length ? encoded[i] : EventCodec.encode(e, vectorEncoding));
                if (e.op == IndexEvent.Op.UPSERT && (++upsertsSent % 1000 == 0 || upsertsSent == n)) {
                    progress.say("sent " + upsertsSent + "/" + n + " upserts");
                }
            }
            Set<Integer> deleted = new HashSet<>();
            for (int i = 0; i < deletes; i++) {
                events.send(IndexEvent.delete(key, Integer.toString(i)));
                deleted.add(i);
            }
            if (deletes > 0) progress.say("sent " + deletes + " deletes");
            int bad = sendBadEvents(events, key, dim);
            progress.say("sent " + bad + " deliberately bad events (they must come back as dead letters, index unchanged)");
            // A query after everything else, on the same topic and key: per-key order means its answer
            // proves the index holds it all (even when the other queries use a separate topic).
            events.send(IndexEvent.query(key, BARRIER, data.base[n - 1], 1, 0));
            events.flush();
            long applied = awaitApplied(out, warmup + n, BARRIER);
            s.upserts = n;
            s.warmupUpserts = warmup;
            s.deletes = deletes;
            s.ingestPerSecond = n / ((applied - t0) / 1e9);
            s.indexCpuSeconds = CpuClock.threads(HnswIndexOperator.NAME) - indexCpu0;
            s.processCpuSeconds = CpuClock.process() - processCpu0;
            s.jitSeconds = CpuClock.compiling() - compiling0;
            waitFor(out, () -> out.firstSeenNanos(BARRIER) != null, "the answer to a query sent after the upserts");
            QueryResult barrier = out.result(BARRIER);
            progress.say(String.format("index holds %d vectors (%.0f upserts/s end to end); sending %d queries",
                    barrier.indexSize, s.ingestPerSecond, nq));
            if (barrier.indexSize != n - deletes) {
                throw new IllegalStateException("index size " + barrier.indexSize + ", expected " + (n - deletes));
            }
            if (duringIngest > 0) {
                waitFor(out, () -> answered(out, DURING_INGEST, duringIngest) == duringIngest,
                        duringIngest + " answers to the queries sent during ingest");
                s.ingestSearchMillis = new double[duringIngest];
                for (int q = 0; q < duringIngest; q++) {
                    s.ingestSearchMillis[q] = out.result(DURING_INGEST + q).tookMicros / 1000.0;
                }
            }

            s.warmupQueries = warmUpQueries(queryWriter, out, data.queries);
            long[] sentAt = sendQueriesAtRate(queryWriter, "q-", data.queries, nq);
            waitFor(out, () -> answered(out, "q-", nq) == nq && out.deadLetters().size() >= bad, nq + " answers");

            double recall = 0;
            s.queryMillis = new double[nq];
            s.searchMillis = new double[nq];
            for (int q = 0; q < nq; q++) {
                QueryResult r = out.result("q-" + q);
                s.queryMillis[q] = (out.firstSeenNanos("q-" + q) - sentAt[q]) / 1e6;
                s.searchMillis[q] = r.tookMicros / 1000.0;
                recall += recall(r.neighbours, data, q, config, deleted);
                checkOrdered(r);
            }
            s.queries = nq;
            s.recallAtK = recall / nq;
            if (subscriptions > 0) {
                timeUpdates(events, out, data.queries, s);
                s.subscriptions = subscriptions;
                s.updates = out.updates().values().stream().mapToLong(List::size).sum();
                s.subscriptionRecallAtK = subscriptionRecall(out, data, config, deleted);
            }
            s.deadLetters = out.deadLetters().size();
            out.deadLetters().forEach(d -> progress.say("dead letter: " + d.error));
            s.checkpoints = flink.completedCheckpoints();
            if (FailOnceAfter.hasFailed()) {
                int restored = flink.restoredCheckpoints();
                progress.say("the job failed once on purpose and recovered "
                        + (restored > 0 ? "from a checkpoint" : "by replaying the topic (no checkpoint had completed yet)"));
            }
        }
        return s;
    }

    /** The timed load in send order: the data set's upserts, with {@code duringIngest} queries spread among them. */
    private List<IndexEvent> load(DataSet data, int duringIngest) {
        int n = data.base.length;
        int queryEvery = duringIngest > 0 ? n / duringIngest : 0;
        List<IndexEvent> load = new ArrayList<>(n + duringIngest);
        for (int i = 0; i < n; i++) {
            load.add(IndexEvent.upsert(key, Integer.toString(i), data.base[i], "{\"row\":" + i + "}"));
            if (duringIngest > 0 && (i + 1) % queryEvery == 0 && (i + 1) / queryEvery <= duringIngest) {
                int q = (i + 1) / queryEvery - 1;
                load.add(IndexEvent.query(key, DURING_INGEST + q, data.queries[q], k, 0));
            }
        }
        return load;
    }

    /**
     * The load's first records encoded before the clock starts, up to {@value #ENCODED_AHEAD_BYTES} bytes in
     * all: producers run outside the job in a deployment, and here the formatting of their JSON would take
     * CPU from the job on the same cores while it is timed. What does not fit is encoded as it is sent.
     */
    private byte[][] encodeAhead(List<IndexEvent> load) {
        List<byte[]> encoded = new ArrayList<>();
        long bytes = 0;
        for (IndexEvent e : load) {
            byte[] value = EventCodec.encode(e, vectorEncoding);
            bytes += value.length;
            if (bytes > ENCODED_AHEAD_BYTES) break;
            encoded.add(value);
        }
        return encoded.toArray(new byte[0][]);
    }

    /** Malformed JSON, a NaN component and a vector of the wrong dimension for the key's index. */
    private static int sendBadEvents(EventWriter w, String key, int dim) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        w.sendRaw(k, "{\"op\":\"upsert\",\"id\":\"broken\",\"vector\":[1,2".getBytes(StandardCharsets.UTF_8));
        w.sendRaw(k, ("{\"op\":\"upsert\",\"key\":\"" + key + "\",\"id\":\"nan\",\"vector\":[NaN"
                + ",0".repeat(dim - 1) + "]}").getBytes(StandardCharsets.UTF_8));
        float[] wrong = new float[dim + 1];
        w.send(IndexEvent.upsert(key, "wrong-dimension", wrong, null));
        return 3;
    }

    private static int answered(OutputReader out, String prefix, int nq) {
        int c = 0;
        for (int q = 0; q < nq; q++) if (out.firstSeenNanos(prefix + q) != null) c++;
        return c;
    }

    /**
     * When the index had applied all {@code n} upserts (nanoTime): the first poll at which the index
     * operator's upsert counter reached {@code n}. Under
     * exactly-once an answer becomes visible only when the next checkpoint commits, so the barrier's
     * answer would time the checkpoint interval too; it is the fallback when the counter cannot tell
     * (a restart starts the counter again from the restored checkpoint's events). The counter is
     * read in this process ({@code CapturedMetrics}), so polling it costs the job nothing.
     */
    private long awaitApplied(OutputReader out, long n, String barrierId) throws Exception {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        double lastSaid = progress.seconds();
        while (true) {
            long polled = System.nanoTime();
            long upserts = flink.indexMetricSum("upserts");
            if (upserts >= n) {
                return polled;
            }
            Long barrier = out.firstSeenNanos(barrierId);
            if (barrier != null) {
                return barrier;
            }
            flink.checkRunning();
            if (System.nanoTime() > end) throw new IllegalStateException("timed out waiting for the index to apply " + n + " upserts");
            if (progress.seconds() - lastSaid >= 3) {
                lastSaid = progress.seconds();
                progress.say("waiting for the index to apply " + n + " upserts (" + Math.max(0, upserts)
                        + " applied, " + flink.completedCheckpoints() + " checkpoints so far)");
            }
            Thread.sleep(APPLIED_POLL_MS);
        }
    }

    /**
     * Streams {@link #warmup} synthetic vectors of the data's dimension through the whole path, on a
     * key of their own that the timed stream and the queries never touch, with a query after every
     * {@value #WARMUP_QUERY_EVERY} of them, and waits until the index applied them: producer, broker,
     * source, decoder, shuffle, operator and the answers' path then run compiled code, as the core's
     * timed build does after its own warm-up.
     */
    private void warmUp(EventWriter events, OutputReader out, int dim) throws Exception {
        if (warmup <= 0) return;
        String warmKey = key.equals(WARMUP_KEY) ? WARMUP_KEY + "-2" : WARMUP_KEY;
        progress.say("warm-up: streaming " + warmup + " synthetic upserts on key '" + warmKey
                + "', a query among every " + WARMUP_QUERY_EVERY + " (not timed)");
        float[][] vectors = new ClusteredDataset(dim, 10, 1.0f, 99).next(warmup);
        long t0 = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
            events.send(IndexEvent.upsert(warmKey, "w" + i, vectors[i], "{\"row\":" + i + "}"));
            if (i % WARMUP_QUERY_EVERY == WARMUP_QUERY_EVERY - 1) {
                events.send(IndexEvent.query(warmKey, "warm-ingest-" + i, vectors[i], k, 0));
            }
        }
        events.send(IndexEvent.query(warmKey, WARMUP_BARRIER, vectors[0], 1, 0));
        events.flush();
        awaitApplied(out, warmup, WARMUP_BARRIER);
        progress.say(String.format("warm-up done in %.1f s", (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Sends {@code --warmup} / 5 queries, at most {@value #MAX_QUERY_WARMUP} (of the data set's query
     * vectors, ids {@code warm-}), at the query rate and waits for their answers, untimed; returns how
     * many. The load has no queries or a few, so the paths only queries take (decoding a query, the
     * answer's serialization, the results producer and consumer, on the job's side and the
     * broker's) are first compiled here, and that compiling would otherwise run through the timed
     * queries on the cores their hops need.
     */
    private int warmUpQueries(EventWriter queryWriter, OutputReader out, float[][] vectors) throws Exception {
        int n = Math.min(MAX_QUERY_WARMUP, warmup / 5);
        if (n == 0) return 0;
        long t0 = System.nanoTime();
        sendQueriesAtRate(queryWriter, "warm-", vectors, n);
        waitFor(out, () -> answered(out, "warm-", n) == n, n + " warm-up answers");
        progress.say(String.format("query warm-up: %d queries in %.1f s (not timed)", n, (System.nanoTime() - t0) / 1e9));
        return n;
    }

    /**
     * Sends {@code count} queries to the loaded key at {@code --query-rate}, ids {@code prefix} + n, the
     * vectors in turn; returns when each was sent ({@link System#nanoTime}).
     */
    private long[] sendQueriesAtRate(EventWriter writer, String prefix, float[][] vectors, int count) {
        return sendAtRate(writer, count, q -> IndexEvent.query(key, prefix + q, vectors[q % vectors.length], k, 0));
    }

    /**
     * Sends events 0..{@code count} at {@code --query-rate}, each flushed at once; returns when each
     * was sent ({@link System#nanoTime}). The sender sleeps between events rather than spin: a
     * spinning sender would take one of the two cores from the job.
     */
    private long[] sendAtRate(EventWriter writer, int count, IntFunction<IndexEvent> event) {
        long[] sentAt = new long[count];
        long step = (long) (1e9 / queryRate);
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            for (long wait; (wait = next - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
            next += step;
            sentAt[i] = System.nanoTime();
            writer.send(event.apply(i));
            writer.flush();
        }
        return sentAt;
    }

    /**
     * Subscribes {@link #subscriptions} standing queries to the (still empty) key, the query vectors
     * in turn, and waits for each one's first update (sequence 0).
     */
    private void subscribe(EventWriter events, OutputReader out, float[][] vectors) throws Exception {
        if (subscriptions == 0) return;
        for (int i = 0; i < subscriptions; i++) {
            events.send(IndexEvent.subscribe(key, SUBSCRIPTION + i, null, vectors[i % vectors.length], k, 0));
        }
        events.flush();
        waitFor(out, () -> out.updates().size() == subscriptions, subscriptions + " subscriptions' first updates");
        progress.say(subscriptions + " standing queries subscribed on key '" + key + "'; their updates are read from the updates topic");
    }

    /**
     * Sends, at the query rate, an upsert of each of the first {@value #MAX_PROBES} subscriptions'
     * own vectors (new ids, so each enters that subscription's top k), then the delete of each, and
     * puts into {@code s} how long every update they caused took from the send to being read.
     */
    private void timeUpdates(EventWriter events, OutputReader out, float[][] vectors, Summary s) throws Exception {
        int probes = Math.min(subscriptions, MAX_PROBES);
        long[] upsertSent = sendAtRate(events, probes, i -> IndexEvent.upsert(key, PROBE + i, vectors[i % vectors.length], null));
        long[] deleteSent = sendAtRate(events, probes, i -> IndexEvent.delete(key, PROBE + i));
        // An upsert changes nothing when the subscription's list already holds a vector at distance 0 beyond
        // its k-th place (k = 1 and a subscription vector taken from the base): the wait for its update ends a
        // grace period after the answer to a query behind all of them, which the key applies in order.
        events.send(IndexEvent.query(key, UPDATES_BARRIER, vectors[0], 1, 0));
        events.flush();
        waitFor(out, () -> out.firstSeenNanos(UPDATES_BARRIER) != null, "the answer to a query sent after the timed updates' causes");
        long graceEnd = System.nanoTime() + UPDATES_GRACE.toNanos();
        waitFor(out, () -> {
            for (int i = 0; i < probes; i++) {
                if (out.updateArrivals("upsert", PROBE + i).isEmpty() || out.updateArrivals("delete", PROBE + i).isEmpty()) {
                    return System.nanoTime() > graceEnd;
                }
            }
            return true;
        }, "the updates of " + probes + " upserts next to subscriptions and of their deletes");
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < probes; i++) {
            for (long seen : out.updateArrivals("upsert", PROBE + i)) millis.add((seen - upsertSent[i]) / 1e6);
            for (long seen : out.updateArrivals("delete", PROBE + i)) millis.add((seen - deleteSent[i]) / 1e6);
        }
        s.updateMillis = millis.stream().mapToDouble(Double::doubleValue).toArray();
        if (millis.isEmpty()) {
            progress.say("no timed update: each upsert tied with a stored vector at distance 0 beyond its subscription's"
                    + " top k (query vectors taken from the base, with --k 1); give --queries or a larger --k");
            return;
        }
        progress.say(String.format("%d updates caused by %d upserts next to subscriptions and their deletes: p50 %.2f ms, p99 %.2f ms",
                millis.size(), probes, Summary.percentile(s.updateMillis, 50), Summary.percentile(s.updateMillis, 99)));
    }

    /** Recall@k of each subscription's last list against the exact top-k of its vector, averaged. */
    private double subscriptionRecall(OutputReader out, DataSet data, JobConfig config, Set<Integer> deleted) {
        double sum = 0;
        for (int i = 0; i < subscriptions; i++) {
            List<SubscriptionUpdate> updates = out.updates().get(SUBSCRIPTION + i);
            SubscriptionUpdate last;
            synchronized (updates) {
                last = updates.stream().max(Comparator.comparingLong(u -> u.sequence)).orElseThrow();
            }
            sum += recall(last.neighbours, data, i % data.queries.length, config, deleted);
        }
        return sum / subscriptions;
    }

    /** The share of query {@code q}'s exact top k (over the rows not deleted) that {@code found} holds. */
    private double recall(List<Neighbour> found, DataSet data, int q, JobConfig config, Set<Integer> deleted) {
        Set<String> truth = new HashSet<>();
        for (int id : data.exact(q, k, config.hnsw.metric(), deleted)) truth.add(Integer.toString(id));
        return found.stream().map(nb -> nb.id).filter(truth::contains).count() / (double) truth.size();
    }

    private static void checkOrdered(QueryResult r) {
        List<Neighbour> ns = r.neighbours;
        for (int i = 1; i < ns.size(); i++) {
            if (ns.get(i).distance < ns.get(i - 1).distance) {
                throw new IllegalStateException("result " + r.queryId + " is not sorted by distance");
            }
        }
    }

    private void waitFor(OutputReader out, BooleanSupplier done, String what) throws Exception {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        double lastSaid = progress.seconds();
        while (!out.await(done, Duration.ofMillis(500))) {
            flink.checkRunning();
            if (System.nanoTime() > end) throw new IllegalStateException("timed out waiting for " + what);
            if (progress.seconds() - lastSaid >= 3) {
                lastSaid = progress.seconds();
                progress.say("waiting for " + what + " (" + flink.completedCheckpoints() + " checkpoints so far)");
            }
        }
    }

    /**
     * Prints the connection details and serves until SIGINT or SIGTERM (handled here rather than by
     * the JVM's shutdown, so the job is cancelled on purpose instead of failing), then stops
     * everything and says "stopped". A failed job ends the wait with its cause.
     */
    private int serve(JobConfig config, PrintWriter out) throws Exception {
        out.println("bootstrap.servers=" + config.kafka.bootstrapServers());
        out.println("events topic:      " + config.eventsTopic);
        if (config.queriesTopic != null) out.println("queries topic:     " + config.queriesTopic);
        out.println("results topic:     " + config.resultsTopic + "  (consume with isolation.level=read_committed)");
        out.println("dead-letter topic: " + config.deadLetterTopic);
        out.println("Flink REST:        " + flink.restUrl());
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> stopRequested.countDown());
        }
        out.println("serving; press Ctrl-C to stop");
        out.flush();
        while (!stopRequested.await(1, TimeUnit.SECONDS)) {
            flink.checkRunning();
        }
        progress.say("stop requested");
        stop();
        out.println("stopped");
        out.flush();
        return Cli.OK;
    }

    /** Cancels the job, stops the broker (if it started one) and removes the temp dir; safe to call twice (shutdown hook). */
    private void stop() {
        if (!stopped.compareAndSet(false, true)) return;
        progress.say("stopping: cancelling the job" + (kafka != null ? ", stopping Kafka" : "") + ", removing " + dir);
        try {
            if (flink != null) flink.close();
        } catch (Exception e) {
            System.err.println("cancelling the job: " + e);
        }
        if (kafka != null) kafka.close();
        if (dir != null) deleteTree(dir);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            System.err.println("could not remove " + root + ": " + e);
        }
    }
}
