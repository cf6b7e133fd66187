package io.flinkhnsw.operators;

import io.flinkhnsw.data.ClusteredDataset;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a query by id costs against a vector query at the same ef, in the operator on RocksDB: the
 * same probes asked both ways on one graph key in memory, each form first for half of the probes,
 * timed by the test thread's CPU time per event (the thread the harness runs the operator on; on a
 * shared machine wall time swings with the load) and, for reference, the operator's own
 * {@code tookMicros}. Prints one JSON line with the means of the last of three rounds. By id searches for k + 1 (itself left out) with the
 * same beam, so the work is the same; the bound is loose because the machine may be shared.
 */
class QueryByIdCostTest {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int BASE = 20_000;
    private static final int DIM = 64;
    private static final int PROBES = 2000;
    private static final int K = 10;
    private static final int EF = 128;

    @Test
    void aQueryByIdCostsNoMoreThanAVectorQueryAtTheSameEf() throws Exception {
        float[][] base = new ClusteredDataset(DIM, 64, 0.15f, 23).next(BASE);
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().build())) {
            for (int i = 0; i < BASE; i++) {
                h.process(IndexEvent.upsert("k", "v" + i, base[i], "{\"i\":" + i + "}"));
            }
            IndexEvent[] forms = new IndexEvent[2];
            long[] cpuNanos = new long[2];
            long[] micros = new long[2];
            for (int round = 0; round < 3; round++) {
                java.util.Arrays.fill(cpuNanos, 0);
                java.util.Arrays.fill(micros, 0);
                for (int p = 0; p < PROBES; p++) {
                    int row = (int) ((p * 7919L) % BASE);
                    forms[0] = IndexEvent.query("k", "v", base[row], K, EF);
                    forms[1] = IndexEvent.queryById("k", "i", "v" + row, K, EF);
                    // the second query of a probe walks a graph region the first left in the CPU caches: take turns
                    for (int j = 0; j < 2; j++) {
                        int form = (p & 1) ^ j;
                        long cpu = THREADS.getCurrentThreadCpuTime();
                        micros[form] += h.ask(forms[form]).tookMicros;
                        cpuNanos[form] += THREADS.getCurrentThreadCpuTime() - cpu;
                    }
                }
            }
            double byVector = cpuNanos[0] / 1000.0 / PROBES;
            double byId = cpuNanos[1] / 1000.0 / PROBES;
            System.out.println(String.format(Locale.ROOT,
                    "{\"test\":\"query_by_id_cost\",\"base\":%d,\"dim\":%d,\"k\":%d,\"ef\":%d,\"probes\":%d,"
                            + "\"vector_query_cpu_us\":%.1f,\"id_query_cpu_us\":%.1f,\"cpu_ratio\":%.3f,"
                            + "\"vector_query_took_us\":%.1f,\"id_query_took_us\":%.1f}",
                    BASE, DIM, K, EF, PROBES, byVector, byId, byId / byVector,
                    micros[0] / (double) PROBES, micros[1] / (double) PROBES));
            assertThat(byId).isLessThanOrEqualTo(1.5 * byVector);
        }
    }
}
