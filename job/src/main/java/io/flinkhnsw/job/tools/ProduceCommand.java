package io.flinkhnsw.job.tools;

import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.job.Args;
import io.flinkhnsw.job.JobConfig;
import io.flinkhnsw.job.kafka.Topics;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar flink-hnsw.jar produce}: writes an {@link EventPlan} built from fvecs files to the
 * events topic at a given rate, with progress on stderr and, at the end, one JSON line on stdout
 * saying how many queries and bad events were sent (what {@code verify} should expect back).
 */
public final class ProduceCommand {
    private ProduceCommand() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        if (a.flag("help")) {
            System.out.println(String.join("\n",
                    "usage: java -jar flink-hnsw.jar produce --base FILE.fvecs [options]",
                    "  --bootstrap-servers HOSTS  (localhost:9092)",
                    "  --topic NAME               events topic (" + JobConfig.DEFAULT_EVENTS_TOPIC + ")",
                    "  --results-topic NAME, --dead-letter-topic NAME   created with --create-topics (job defaults)",
                    "  --queries FILE.fvecs       query vectors (default: the base vectors)",
                    "  --keys N                   partition keys shop-0..shop-N-1 (4)",
                    "  --query-every N            a query after every N upserts, 0 = none (50)",
                    "  --deletes N                delete the first N ids after the upserts (100)",
                    "  --final-queries N          queries per key at the end (10)",
                    "  --k N                      neighbours per query (10)",
                    "  --limit N                  use only the first N base vectors (all)",
                    "  --rate N                   records per second, 0 = as fast as possible (0)",
                    "  --create-topics            create events, results and dead-letter topics (2 partitions)",
                    "  --only-create-topics       create the topics and send nothing"));
            return;
        }
        String bootstrap = a.get("bootstrap-servers", "localhost:9092");
        String topic = a.get("topic", JobConfig.DEFAULT_EVENTS_TOPIC);
        String results = a.get("results-topic", JobConfig.DEFAULT_RESULTS_TOPIC);
        String deadLetters = a.get("dead-letter-topic", JobConfig.DEFAULT_DEAD_LETTER_TOPIC);
        if (a.flag("only-create-topics")) {
            a.checkAllUsed();
            Topics.create(bootstrap, 2, List.of(topic, results, deadLetters));
            return;
        }
        float[][] base = Fvecs.readFloats(Path.of(required(a, "base")));
        String q = a.get("queries", null);
        float[][] queries = q == null ? base : Fvecs.readFloats(Path.of(q));
        int limit = a.getInt("limit", base.length);
        if (limit < base.length) base = java.util.Arrays.copyOf(base, limit);
        EventPlan plan = EventPlan.of(base, queries, a.getInt("keys", 4), a.getInt("query-every", 50),
                a.getInt("deletes", 100), a.getInt("final-queries", 10), a.getInt("k", 10));
        double rate = a.getDouble("rate", 0);
        boolean create = a.flag("create-topics");
        a.checkAllUsed();
        if (create) {
            Topics.create(bootstrap, 2, List.of(topic, results, deadLetters));
        }
        long pace = rate > 0 ? (long) (1e9 / rate) : 0;
        long next = System.nanoTime();
        long start = next;
        try (EventWriter w = new EventWriter(bootstrap, topic)) {
            for (int i = 0; i < plan.items.size(); i++) {
                if (pace > 0) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    next += pace;
                }
                EventPlan.Item it = plan.items.get(i);
                w.sendRaw(it.key, it.value);
                if ((i + 1) % 1000 == 0) {
                    System.err.printf("produce: %d/%d records (%.1f s)%n", i + 1, plan.items.size(), (System.nanoTime() - start) / 1e9);
                }
            }
            w.flush();
        }
        System.out.printf("{\"records\":%d,\"upserts\":%d,\"deletes\":%d,\"queries\":%d,\"bad\":%d}%n",
                plan.items.size(), plan.upserts, plan.deletes, plan.queries, plan.bad);
    }

    private static String required(Args a, String name) {
        String v = a.get(name, null);
        if (v == null) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }
}
