package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins the byte layout of every value the operator keeps in keyed state against fixtures checked
 * in under {@code src/test/resources/format/v<version>}: today's encoder must produce exactly those
 * bytes and the decoder must read them back. A change that breaks savepoint compatibility fails
 * here; a deliberate new layout gets a new version byte and new fixtures, and keeps the old ones
 * readable (header v1, written before repair became incremental, still decodes).
 */
class CodecFormatTest {
    static final GraphHeader HEADER = new GraphHeader(
            new HnswConfig(Metric.COSINE, 12, 150, 40, 7L), 3, 5, 2, 9, 6, 2, 11L, 13L);
    static final String NODE_ID = "doc-é-42";
    static final float[] NODE_VECTOR = {0.5f, -1.25f, 3.0e-7f};
    static final int[] LINKS = {0, 1, 127, 128, 16_383, 16_384, 1_000_000, Integer.MAX_VALUE};
    static final String PAYLOAD = "{\"title\":\"Grüße\",\"n\":1}";

    @Test
    void headerV2() throws IOException {
        byte[] fixture = fixture("v2/header.bin");
        assertThat(HeaderCodec.encode(HEADER)).isEqualTo(fixture);
        assertThat(HeaderCodec.decode(fixture)).isEqualTo(HEADER);
    }

    @Test
    void headerV1IsStillReadWithADeletionSequenceAboveEverySlot() throws IOException {
        // v1 had consolidateFraction 0.25 after the seed, and no deletion sequence
        GraphHeader v1 = HeaderCodec.decode(fixture("v1/header.bin"));
        assertThat(v1).isEqualTo(new GraphHeader(HEADER.config(), 3, 5, 2, 9, 6, 2, 11L, 9L));
    }

    @Test
    void tombstoneV1() throws IOException {
        byte[] fixture = fixture("v1/tombstone.bin");
        assertThat(TombstoneCodec.encode(0x0102030405L)).isEqualTo(fixture);
        assertThat(TombstoneCodec.decode(fixture)).isEqualTo(0x0102030405L);
    }

    @Test
    void nodeV1() throws IOException {
        byte[] fixture = fixture("v1/node.bin");
        assertThat(NodeRecordCodec.encode(NODE_ID, 2, NODE_VECTOR)).isEqualTo(fixture);
        NodeRecordCodec.NodeRecord rec = NodeRecordCodec.decode(fixture);
        assertThat(rec.id()).isEqualTo(NODE_ID);
        assertThat(rec.level()).isEqualTo(2);
        assertThat(rec.vector()).containsExactly(NODE_VECTOR);
    }

    @Test
    void linksV1() throws IOException {
        byte[] fixture = fixture("v1/links.bin");
        int[] padded = new int[LINKS.length + 3];
        System.arraycopy(LINKS, 0, padded, 2, LINKS.length);
        assertThat(LinksCodec.encode(padded, 2, LINKS.length)).isEqualTo(fixture);
        assertThat(LinksCodec.decode(fixture)).containsExactly(LINKS);
        assertThat(LinksCodec.decode(LinksCodec.encode(new int[0], 0, 0))).isEmpty();
    }

    @Test
    void payloadV1() throws IOException {
        byte[] fixture = fixture("v1/payload.bin");
        assertThat(PayloadCodec.encode(PAYLOAD)).isEqualTo(fixture);
        assertThat(PayloadCodec.decode(fixture)).isEqualTo(PAYLOAD);
    }

    @Test
    void unknownVersionsFailLoudly() throws IOException {
        byte[] node = fixture("v1/node.bin");
        node[0] = 99;
        assertThatThrownBy(() -> NodeRecordCodec.decode(node)).hasMessageContaining("format version 99");
        byte[] links = fixture("v1/links.bin");
        links[0] = 2;
        assertThatThrownBy(() -> LinksCodec.decode(links)).hasMessageContaining("format version 2");
        byte[] header = fixture("v2/header.bin");
        header[0] = 0;
        assertThatThrownBy(() -> HeaderCodec.decode(header)).hasMessageContaining("format version 0");
        byte[] payload = fixture("v1/payload.bin");
        payload[0] = 7;
        assertThatThrownBy(() -> PayloadCodec.decode(payload)).hasMessageContaining("format version 7");
        byte[] tombstone = fixture("v1/tombstone.bin");
        tombstone[0] = 2;
        assertThatThrownBy(() -> TombstoneCodec.decode(tombstone)).hasMessageContaining("format version 2");
    }

    @Test
    void negativeLinksAreRefused() {
        assertThatThrownBy(() -> LinksCodec.encode(new int[] {3, -1}, 0, 2)).hasMessageContaining("negative");
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = CodecFormatTest.class.getResourceAsStream("/format/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return in.readAllBytes();
        }
    }
}
