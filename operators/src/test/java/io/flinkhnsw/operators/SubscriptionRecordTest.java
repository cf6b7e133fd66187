package io.flinkhnsw.operators;

import io.flinkhnsw.operators.state.FormatVersions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionRecordTest {

    @Test
    void definitionAndListRecordsRestoreTheSubscription() {
        Subscription s = new Subscription(new ListIds(), "s-1", "item-7", new float[]{0.5f, -1.25f, 3f}, 2, 40, "{\"in\":1}");
        s.reset(new String[]{"a", "bb", "ccc"}, new float[]{0.1f, 0.2f, 0.3f}, 3, false);
        s.sequence = 17;

        byte[] definition = s.encodeDefinition();
        assertThat(definition[0]).isEqualTo(FormatVersions.SUBSCRIPTION_V2);
        Subscription restored = Subscription.decode(new ListIds(), "s-1", definition);
        assertThat(restored.kept()).as("a v2 definition carries no list").isZero();
        restored.applyList(s.encodeList());

        assertSame(restored, s);
    }

    /** A record written by the release before the split (v1: definition and list in one) still reads, and a later list record overrides its list. */
    @Test
    void aV1RecordReadsWithItsListUntilAListRecordOverridesIt() {
        byte[] v1 = v1Record();
        Subscription old = Subscription.decode(new ListIds(), "s-1", v1);
        assertThat(old.followed).isNull();
        assertThat(old.filter).isNull();
        assertThat(old.k).isEqualTo(1);
        assertThat(old.ef).isEqualTo(0);
        assertThat(old.vector).containsExactly(1f, 2f);
        assertThat(old.sequence).isEqualTo(5);
        assertThat(old.kept()).isEqualTo(2);
        assertThat(old.keptId(0)).isEqualTo("x");
        assertThat(old.radius()).isEqualTo(2.5f);

        Subscription newer = new Subscription(new ListIds(), "s-1", null, new float[]{1f, 2f}, 1, 0, null);
        newer.reset(new String[]{"y"}, new float[]{0.75f}, 1, true);
        newer.sequence = 9;
        old.applyList(newer.encodeList());
        assertSame(old, newer);
    }

    private static void assertSame(Subscription actual, Subscription expected) {
        assertThat(actual.followed).isEqualTo(expected.followed);
        assertThat(actual.filter).isEqualTo(expected.filter);
        assertThat(actual.k).isEqualTo(expected.k);
        assertThat(actual.ef).isEqualTo(expected.ef);
        assertThat(actual.vector).containsExactly(expected.vector);
        assertThat(actual.sequence).isEqualTo(expected.sequence);
        assertThat(actual.kept()).isEqualTo(expected.kept());
        for (int i = 0; i < expected.kept(); i++) {
            assertThat(actual.keptId(i)).isEqualTo(expected.keptId(i));
        }
        assertThat(actual.memberDistances()).containsExactly(expected.memberDistances());
        assertThat(actual.radius()).isEqualTo(expected.radius());
    }

    /** k 1, ef 0, sequence 5, no followed id or filter, vector (1, 2), list x at 1.5 and yy at 2.5, not complete. */
    private static byte[] v1Record() {
        ByteBuffer out = ByteBuffer.allocate(64);
        out.put(FormatVersions.SUBSCRIPTION_V1).put((byte) 0).putShort((short) 1).putInt(0).putLong(5);
        out.putShort((short) 2).putFloat(1f).putFloat(2f);
        out.putShort((short) 2);
        out.putInt(1).put("x".getBytes(StandardCharsets.UTF_8)).putFloat(1.5f);
        out.putInt(2).put("yy".getBytes(StandardCharsets.UTF_8)).putFloat(2.5f);
        byte[] record = new byte[out.position()];
        out.flip().get(record);
        return record;
    }
}
