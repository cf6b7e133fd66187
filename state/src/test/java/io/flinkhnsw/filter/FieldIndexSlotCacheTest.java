package io.flinkhnsw.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkhnsw.hnsw.NodeIds;
import org.junit.jupiter.api.Test;

/**
 * The slot cache of {@link FieldIndex#ordOfSlot}: a hit builds no id string, and every change that
 * could make a cached answer wrong (an entry added or removed, a slot taking another id) is seen.
 */
class FieldIndexSlotCacheTest {
    /** Slots whose ids a test sets; a new token per id a slot takes, as the graph does. */
    private static final class Slots implements NodeIds {
        final String[] ids = new String[8];
        final Object[] tokens = new Object[8];
        int stringsBuilt;

        void put(int slot, String id) {
            ids[slot] = id;
            tokens[slot] = new Object();
        }

        @Override
        public Object idToken(int node) {
            return tokens[node];
        }

        @Override
        public String id(int node) {
            stringsBuilt++;
            return new String(ids[node]);
        }
    }

    @Test
    void cachedAnswersFollowEntriesAndSlotReuse() {
        FieldIndex index = new FieldIndex(FilterFields.parse("color:keyword"));
        Slots slots = new Slots();
        slots.put(0, "a");
        slots.put(1, "b");
        index.put("a", "{\"color\":\"red\"}");

        int a = index.ordOfSlot(0, slots);
        assertThat(a).isGreaterThanOrEqualTo(0);
        assertThat(index.ordOfSlot(1, slots)).as("b has no entry").isEqualTo(-1);
        int built = slots.stringsBuilt;
        assertThat(index.ordOfSlot(0, slots)).isEqualTo(a);
        assertThat(index.ordOfSlot(1, slots)).isEqualTo(-1);
        assertThat(slots.stringsBuilt).as("hits build no string").isEqualTo(built);

        index.put("b", "{\"color\":\"blue\"}");
        int b = index.ordOfSlot(1, slots);
        assertThat(b).as("an entry added after a cached miss").isGreaterThanOrEqualTo(0).isNotEqualTo(a);
        assertThat(index.idOf(b)).isEqualTo("b");

        index.remove("a");
        assertThat(index.ordOfSlot(0, slots)).as("an entry removed after a cached hit").isEqualTo(-1);

        index.put("c", "{\"color\":\"green\"}"); // may take a's freed ordinal
        slots.put(0, "c");
        int c = index.ordOfSlot(0, slots);
        assertThat(c).isGreaterThanOrEqualTo(0);
        assertThat(index.idOf(c)).as("a slot that took another id").isEqualTo("c");
        assertThat(index.slotHint(c)).isEqualTo(0);
    }
}
