package io.flinkhnsw.operators;

import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;
import org.apache.flink.streaming.api.functions.source.legacy.SourceFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end on a MiniCluster with RocksDB and incremental checkpoints at parallelism 2, with and
 * without the state changelog ({@link StateBackendSettings}): the keyed
 * write-back operator ({@link HnswIndexOperator}) fails once, after a checkpoint completed and further events changed its state, the job
 * restores from that checkpoint and replays, and every query answer (including those emitted before
 * the failure and emitted again after it) equals the answer of a run without failure.
 */
class RecoveryMiniClusterTest {
    private static final int KEYS = 6;
    private static final int PER_KEY = 250;
    private static final int DIM = 16;
    private static final long SEED = 21L;

    static final ConcurrentLinkedQueue<QueryResult> RESULTS = new ConcurrentLinkedQueue<>();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicInteger OPENS = new AtomicInteger();
    static final AtomicBoolean WRITE_BACK = new AtomicBoolean();

    @TempDir
    Path checkpoints;

    @ParameterizedTest(name = "changelog {0}")
    @ValueSource(booleans = {true, false})
    void failureAfterACompletedCheckpointRestoresTheExactIndex(boolean changelog) throws Exception {
        List<IndexEvent> events = RandomEvents.mixed(KEYS, PER_KEY, DIM, SEED);
        String failOn = events.stream().skip(events.size() * 3L / 4).filter(e -> e.op == IndexEvent.Op.QUERY)
                .findFirst().orElseThrow().queryId;

        Map<String, Set<QueryResult>> reference = run(null, changelog);
        assertThat(FAILED).isFalse();
        assertThat(OPENS.get()).isEqualTo(2);
        assertThat(WRITE_BACK).as("hosted by the write-back operator").isTrue();

        Map<String, Set<QueryResult>> recovered = run(failOn, changelog);
        assertThat(FAILED).as("failure was injected").isTrue();
        assertThat(OPENS.get()).as("operator reopened after restore").isEqualTo(4);

        long queries = events.stream().filter(e -> e.op == IndexEvent.Op.QUERY).count();
        assertThat(reference).hasSize((int) queries);
        assertThat(reference.values()).allSatisfy(s -> assertThat(s).hasSize(1));
        // every answer, including duplicates from the replay, equals the no-failure answer
        assertThat(recovered).isEqualTo(reference);
        // the changelog's files go when the job finishes; its directory shows that state changes were logged
        assertThat(Files.isDirectory(checkpoints.resolve("b").resolve("changelog"))).as("changelog used")
                .isEqualTo(changelog);
    }

    private Map<String, Set<QueryResult>> run(String failOn, boolean changelog) throws Exception {
        RESULTS.clear();
        FAILED.set(false);
        OPENS.set(0);
        Path dir = checkpoints.resolve(failOn == null ? "a" : "b");
        Configuration conf = StateBackendSettings.apply(new Configuration(), dir.resolve("checkpoints"),
                dir.resolve("changelog"), changelog);
        conf.setString("execution.checkpointing.interval", "100ms");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "2");
        conf.setString("restart-strategy.fixed-delay.delay", "100ms");
        // a MiniCluster of its own per run: the changelog's storage is configured on the cluster, not the job
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        env.addSource(new GatedEventSource(), "events", TypeInformation.of(IndexEvent.class)).setParallelism(1)
                .keyBy(e -> e.key)
                .transform(HnswIndexOperator.NAME, Types.POJO(QueryResult.class), new HnswIndexOperator(
                        new FailingOnceIndexFunction(IndexSettings.builder().flatLimit(64).indexMemoryBytes(60_000)
                                .maxVectorsPerKey(1_000_000).build(), failOn)))
                .uid(HnswIndexOperator.UID)
                .addSink(new CollectingSink()).setParallelism(1);
        env.execute("recovery-" + (failOn == null ? "reference" : "failure"));
        Map<String, Set<QueryResult>> byQuery = new HashMap<>();
        for (QueryResult r : RESULTS) {
            byQuery.computeIfAbsent(r.key + "/" + r.queryId, k -> new HashSet<>()).add(r);
        }
        return byQuery;
    }

    /**
     * Emits the deterministic event stream from a checkpointed offset. Halfway it waits until a
     * checkpoint taken after that point completed, so the failure later hits an operator whose state
     * has moved on from a completed checkpoint; after a restore it does not wait again.
     */
    static final class GatedEventSource implements SourceFunction<IndexEvent>, CheckpointedFunction, CheckpointListener {
        private transient ListState<Integer> offsetState;
        private volatile int offset;
        private volatile boolean running = true;
        private volatile long gateCheckpoint = Long.MAX_VALUE;
        private volatile boolean gateOpen;

        @Override
        public void run(SourceContext<IndexEvent> ctx) throws Exception {
            List<IndexEvent> events = RandomEvents.mixed(KEYS, PER_KEY, DIM, SEED);
            int half = events.size() / 2;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (running && offset < events.size()) {
                if (offset == half && !gateOpen) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no checkpoint completed within 60 s");
                    }
                    Thread.sleep(5);
                    continue;
                }
                synchronized (ctx.getCheckpointLock()) {
                    ctx.collect(events.get(offset));
                    offset++;
                }
            }
        }

        @Override
        public void cancel() {
            running = false;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            offsetState.update(List.of(offset));
            if (offset >= RandomEvents.mixed(KEYS, PER_KEY, DIM, SEED).size() / 2 && gateCheckpoint == Long.MAX_VALUE) {
                gateCheckpoint = context.getCheckpointId();
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (checkpointId >= gateCheckpoint) {
                gateOpen = true;
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            offsetState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("offset", Types.INT));
            for (Integer o : offsetState.get()) {
                offset = o;
            }
            gateOpen = context.isRestored();
        }
    }

    /** The index function, failing once on the query {@code failOn} (never when null). */
    static final class FailingOnceIndexFunction extends HnswIndexFunction {
        private final String failOn;

        FailingOnceIndexFunction(IndexSettings settings, String failOn) {
            super(settings);
            this.failOn = failOn;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
            super.open(openContext);
            OPENS.incrementAndGet();
            WRITE_BACK.set(writeBackEnabled());
        }

        @Override
        public void processElement(IndexEvent event, Context ctx, Collector<QueryResult> out) {
            if (failOn != null && failOn.equals(event.queryId) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            super.processElement(event, ctx, out);
        }
    }

    static final class CollectingSink implements SinkFunction<QueryResult> {
        @Override
        public void invoke(QueryResult value, Context context) {
            RESULTS.add(value);
        }
    }
}
