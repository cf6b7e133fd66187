package io.flinkhnsw.operators;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ListIdsTest {

    /**
     * After any mix of offers, removals, resets and ends over lists sharing one table, the table
     * holds exactly the ids some list holds, and every list reads back the ids it took.
     */
    @Test
    void theTableHoldsExactlyTheIdsTheListsHold() {
        SplittableRandom rnd = new SplittableRandom(7);
        ListIds listIds = new ListIds();
        List<Subscription> lists = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            lists.add(new Subscription(listIds, "s-" + i, null, new float[]{0f}, 1 + rnd.nextInt(3), 0, null));
        }
        for (int step = 0; step < 20_000; step++) {
            Subscription s = lists.get(rnd.nextInt(lists.size()));
            String id = "item-" + rnd.nextInt(40);
            switch (rnd.nextInt(6)) {
                case 0, 1 -> {
                    if (!s.contains(id)) {
                        s.offer(id, rnd.nextInt(100));
                    }
                }
                case 2 -> {
                    // the maintainer's path for an insert: one hold for many lists, released after
                    int handle = listIds.acquire(id);
                    for (Subscription other : lists) {
                        if (!other.holds(handle)) {
                            other.offer(handle, rnd.nextInt(100));
                        }
                    }
                    listIds.release(handle);
                }
                case 3 -> s.remove(id);
                case 4 -> s.reset(new String[]{id, id + "'"}, new float[]{1f, 2f}, Math.min(2, s.keep()), rnd.nextBoolean());
                default -> {
                    if (rnd.nextInt(20) == 0) {
                        s.releaseAll();
                    }
                }
            }
            Set<String> held = new HashSet<>();
            for (Subscription list : lists) {
                for (int r = 0; r < list.kept(); r++) {
                    held.add(list.keptId(r));
                    assertThat(list.contains(list.keptId(r))).isTrue();
                }
            }
            assertThat(listIds.size()).as("step %d", step).isEqualTo(held.size());
            for (String h : held) {
                assertThat(listIds.find(h)).isNotNegative();
            }
        }
        lists.forEach(Subscription::releaseAll);
        assertThat(listIds.size()).isZero();
    }
}
