package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link IdTable} against a HashMap under random puts, replacements and removals, through several resizes. */
class IdTableTest {

    @Test
    void agreesWithAHashMapThroughResizesAndRemovals() {
        // ids held as the graph holds them, with a few outside Latin-1
        List<byte[]> ids = new ArrayList<>();
        IdTable table = new IdTable(0, new IdTable.Keys() {
            @Override
            public boolean idEquals(int node, String id) {
                return IdBytes.matches(ids.get(node), id);
            }

            @Override
            public int idHash(int node) {
                return IdBytes.hash(ids.get(node));
            }
        });
        Map<String, Integer> reference = new HashMap<>();
        SplittableRandom random = new SplittableRandom(3);
        for (int step = 0; step < 200_000; step++) {
            int n = random.nextInt(20_000);
            String id = (n % 7 == 0 ? "\u03b9\u03b4-" : "id-") + n;
            int roll = random.nextInt(10);
            if (roll < 6) {
                // a new node for the id, as an upsert (or a replacing upsert) makes
                ids.add(IdBytes.encode(id));
                table.put(id, ids.size() - 1);
                reference.put(id, ids.size() - 1);
            } else if (roll < 9) {
                Integer expected = reference.remove(id);
                assertThat(table.remove(id)).isEqualTo(expected == null ? -1 : expected);
            } else {
                Integer expected = reference.get(id);
                assertThat(table.get(id)).isEqualTo(expected == null ? -1 : expected);
            }
            assertThat(table.size()).isEqualTo(reference.size());
        }
        for (Map.Entry<String, Integer> e : reference.entrySet()) {
            assertThat(table.get(e.getKey())).isEqualTo(e.getValue());
        }
        assertThat(table.get("never")).isEqualTo(-1);
        assertThat(table.ramBytesUsed()).isLessThan(16L * Math.max(16, reference.size()) + 64);
    }
}
