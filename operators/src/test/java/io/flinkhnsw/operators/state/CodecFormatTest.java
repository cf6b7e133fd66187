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
 * Pins the v1 byte layout of every value the operator keeps in keyed state against fixtures checked
 * in under {@code src/test/resources/format/v1}: today's encoder must produce exactly those bytes and
 * the decoder must read them back. A change that breaks savepoint compatibility fails here; a
 * deliberate new layout gets a new version byte and new fixtures, and keeps these passing.
 */
class CodecFormatTest {
    static final GraphHeader HEADER = new GraphHeader(
            new HnswConfig(Metric.COSINE, 12, 150, 40, 7L, 0.25), 3, 5, 2, 9, 6, 2, 11L);
    static final String NODE_ID = "doc-é-42";
    static final float[] NODE_VECTOR = {0.5f, -1.25f, 3.0e-7f};
    static final int[] LINKS = {0, 1, 127, 128, 16_383, 16_384, 1_000_000, Integer.MAX_VALUE};
    static final String PAYLOAD = "{\"title\":\"Grüße\",\"n\":1}";

    @Test
    void headerV1() throws IOException {
        byte[] fixture = fixture("header.bin");
        assertThat(HeaderCodec.encode(HEADER)).isEqualTo(fixture);
        assertThat(HeaderCodec.decode(fixture)).isEqualTo(HEADER);
    }

    @Test
    void nodeV1() throws IOException {
        byte[] fixture = fixture("node.bin");
        assertThat(NodeRecordCodec.encode(NODE_ID, 2, NODE_VECTOR)).isEqualTo(fixture);
        NodeRecordCodec.NodeRecord rec = NodeRecordCodec.decode(fixture);
        assertThat(rec.id()).isEqualTo(NODE_ID);
        assertThat(rec.level()).isEqualTo(2);
        assertThat(rec.vector()).containsExactly(NODE_VECTOR);
    }

    @Test
    void linksV1() throws IOException {
        byte[] fixture = fixture("links.bin");
        int[] padded = new int[LINKS.length + 3];
        System.arraycopy(LINKS, 0, padded, 2, LINKS.length);
        assertThat(LinksCodec.encode(padded, 2, LINKS.length)).isEqualTo(fixture);
        assertThat(LinksCodec.decode(fixture)).containsExactly(LINKS);
        assertThat(LinksCodec.decode(LinksCodec.encode(new int[0], 0, 0))).isEmpty();
    }

    @Test
    void payloadV1() throws IOException {
        byte[] fixture = fixture("payload.bin");
        assertThat(PayloadCodec.encode(PAYLOAD)).isEqualTo(fixture);
        assertThat(PayloadCodec.decode(fixture)).isEqualTo(PAYLOAD);
    }

    @Test
    void unknownVersionsFailLoudly() throws IOException {
        byte[] node = fixture("node.bin");
        node[0] = 99;
        assertThatThrownBy(() -> NodeRecordCodec.decode(node)).hasMessageContaining("format version 99");
        byte[] links = fixture("links.bin");
        links[0] = 2;
        assertThatThrownBy(() -> LinksCodec.decode(links)).hasMessageContaining("format version 2");
        byte[] header = fixture("header.bin");
        header[0] = 0;
        assertThatThrownBy(() -> HeaderCodec.decode(header)).hasMessageContaining("format version 0");
        byte[] payload = fixture("payload.bin");
        payload[0] = 7;
        assertThatThrownBy(() -> PayloadCodec.decode(payload)).hasMessageContaining("format version 7");
    }

    @Test
    void negativeLinksAreRefused() {
        assertThatThrownBy(() -> LinksCodec.encode(new int[] {3, -1}, 0, 2)).hasMessageContaining("negative");
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = CodecFormatTest.class.getResourceAsStream("/format/v1/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return in.readAllBytes();
        }
    }
}
