package io.flinkhnsw.job.codec;

import io.flinkhnsw.operators.Neighbour;
import io.flinkhnsw.operators.SubscriptionUpdate;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UpdateCodecTest {
    @Test
    void writesTheDocumentedShapesAndReadsThemBackEqual() {
        SubscriptionUpdate changed = new SubscriptionUpdate();
        changed.subscriptionId = "s-1";
        changed.key = "shop-1";
        changed.neighbours = List.of(new Neighbour("item-9", 0.125f, "{\"name\":\"x\"}"), new Neighbour("item-3", 1f, null));
        changed.added = List.of("item-9");
        changed.removed = List.of("item-7");
        changed.causeOp = "upsert";
        changed.causeId = "item-9";
        changed.sequence = 4;
        SubscriptionUpdate first = new SubscriptionUpdate();
        first.subscriptionId = "s-1";
        first.key = "shop-1";
        first.neighbours = List.of();
        first.added = List.of();
        first.removed = List.of();
        first.causeOp = "subscribe";
        SubscriptionUpdate ended = new SubscriptionUpdate();
        ended.subscriptionId = "s-1";
        ended.key = "shop-1";
        ended.ended = "unsubscribed";
        ended.sequence = 5;

        assertThat(text(changed)).isEqualTo("{\"subscriptionId\":\"s-1\",\"key\":\"shop-1\",\"neighbours\":["
                + "{\"id\":\"item-9\",\"distance\":0.125,\"payload\":{\"name\":\"x\"}},{\"id\":\"item-3\",\"distance\":1.0}],"
                + "\"added\":[\"item-9\"],\"removed\":[\"item-7\"],\"cause\":{\"op\":\"upsert\",\"id\":\"item-9\"},\"sequence\":4}");
        assertThat(text(first)).isEqualTo("{\"subscriptionId\":\"s-1\",\"key\":\"shop-1\",\"neighbours\":[],"
                + "\"added\":[],\"removed\":[],\"cause\":{\"op\":\"subscribe\"},\"sequence\":0}");
        assertThat(text(ended)).isEqualTo("{\"subscriptionId\":\"s-1\",\"key\":\"shop-1\",\"ended\":\"unsubscribed\",\"sequence\":5}");
        for (SubscriptionUpdate u : List.of(changed, first, ended)) {
            assertThat(UpdateCodec.fromJson(UpdateCodec.toJson(u))).isEqualTo(u);
        }
    }

    private static String text(SubscriptionUpdate u) {
        return new String(UpdateCodec.toJson(u), StandardCharsets.UTF_8);
    }
}
