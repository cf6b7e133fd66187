package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.GraphHeader;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.KeyHeader;
import io.flinkhnsw.hnsw.Quantization;
import io.flinkhnsw.hnsw.ScalarQuantizer;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins the byte layout of every value the operator keeps in keyed state against fixtures checked
 * in under {@code src/test/resources/format}: {@code v1} holds the values of the first layout (the
 * payloads, still written; the v1 graph header, node records and per-layer link lists, now only
 * read) and the tombstone with its deletion sequence; {@code v2} those of the tiered layout (graph
 * header with the deletion sequence, key header, node links, vector records and blocks, pending writes);
 * {@code v3} the graph and key headers with the quantization and the learned int8 quantizer;
 * {@code v4} the link block and the single entry of a free slot that overrides its block. Today's
 * encoders must produce exactly those bytes and the decoders must read them back. A change that
 * breaks savepoint compatibility fails here; a deliberate new layout gets a new version byte and
 * new fixtures, and keeps these passing.
 */
class CodecFormatTest {
    static final HnswConfig CONFIG = new HnswConfig(Metric.COSINE, 12, 150, 40, 7L);
    static final GraphHeader HEADER = new GraphHeader(CONFIG, 3, 5, 2, 9, 6, 2, 11L, 13L, null);
    static final HnswConfig INT8_CONFIG = CONFIG.withQuantization(Quantization.INT8);
    static final GraphHeader INT8_HEADER = new GraphHeader(INT8_CONFIG, 3, 5, 2, 9, 6, 2, 11L, 13L,
            ScalarQuantizer.fromArray(new float[] {-0.5f, 0f, 1.5f, 0.01f, 0.02f, 0.5f}));
    static final String NODE_ID = "doc-é-42";
    static final float[] NODE_VECTOR = {0.5f, -1.25f, 3.0e-7f};
    static final int[] LINKS = {0, 1, 127, 128, 16_383, 16_384, 1_000_000, Integer.MAX_VALUE};
    static final String PAYLOAD = "{\"title\":\"Grüße\",\"n\":1}";

    @Test
    void headerV3() throws IOException {
        byte[] fixture = fixture("v3/header.bin");
        assertThat(HeaderCodec.encode(INT8_HEADER)).isEqualTo(fixture);
        assertThat(HeaderCodec.decode(fixture)).isEqualTo(INT8_HEADER);
        assertThat(HeaderCodec.decode(HeaderCodec.encode(HEADER))).isEqualTo(HEADER);
    }

    @Test
    void headerV2IsStillReadWithoutQuantization() throws IOException {
        assertThat(HeaderCodec.decode(fixture("v2/header.bin"))).isEqualTo(HEADER);
    }

    @Test
    void headerV1IsStillReadWithADeletionSequenceAboveEverySlot() throws IOException {
        // v1 had consolidateFraction 0.25 after the seed, and no deletion sequence
        GraphHeader v1 = HeaderCodec.decode(fixture("v1/header.bin"));
        assertThat(v1).isEqualTo(new GraphHeader(HEADER.config(), 3, 5, 2, 9, 6, 2, 11L, 9L, null));
    }

    @Test
    void tombstoneV1() throws IOException {
        byte[] fixture = fixture("v1/tombstone.bin");
        assertThat(TombstoneCodec.encode(0x0102030405L)).isEqualTo(fixture);
        assertThat(TombstoneCodec.decode(fixture)).isEqualTo(0x0102030405L);
    }

    @Test
    void nodeV1IsRead() throws IOException {
        byte[] fixture = fixture("v1/node.bin");
        assertThat(V1Format.node(NODE_ID, 2, NODE_VECTOR)).isEqualTo(fixture);
        NodeRecordCodec.NodeRecord rec = NodeRecordCodec.decode(fixture);
        assertThat(rec.id()).isEqualTo(NODE_ID);
        assertThat(rec.level()).isEqualTo(2);
        assertThat(rec.vector()).containsExactly(NODE_VECTOR);
    }

    @Test
    void linksV1AreRead() throws IOException {
        byte[] fixture = fixture("v1/links.bin");
        int[] padded = new int[LINKS.length + 3];
        System.arraycopy(LINKS, 0, padded, 2, LINKS.length);
        assertThat(V1Format.links(padded, 2, LINKS.length)).isEqualTo(fixture);
        assertThat(LinksCodec.decode(fixture)).containsExactly(LINKS);
        assertThat(LinksCodec.decode(V1Format.links(new int[0], 0, 0))).isEmpty();
    }

    @Test
    void payloadV1() throws IOException {
        byte[] fixture = fixture("v1/payload.bin");
        assertThat(PayloadCodec.encode(PAYLOAD)).isEqualTo(fixture);
        assertThat(PayloadCodec.decode(fixture)).isEqualTo(PAYLOAD);
    }

    @Test
    void keyHeaderV2() throws IOException {
        byte[] fixture = fixture("v3/key.bin");
        KeyHeader header = new KeyHeader(INT8_CONFIG, 3, true, false, 5);
        assertThat(KeyHeaderCodec.encode(header)).isEqualTo(fixture);
        assertThat(KeyHeaderCodec.decode(fixture)).isEqualTo(header);
    }

    @Test
    void keyHeaderV1IsStillReadWithoutQuantization() throws IOException {
        assertThat(KeyHeaderCodec.decode(fixture("v2/key.bin"))).isEqualTo(new KeyHeader(CONFIG, 3, true, false, 5));
    }

    @Test
    void nodeLinksV2() throws IOException {
        byte[] fixture = fixture("v2/node-links.bin");
        int[][] links = {LINKS, {}, {5}};
        assertThat(NodeLinksCodec.encode(2, links)).isEqualTo(fixture);
        assertThat(NodeLinksCodec.decode(fixture)).isDeepEqualTo(links);
    }

    @Test
    void linkBlockV1AndTheSingleOfAFreeSlot() throws IOException {
        byte[] fixture = fixture("v4/link-block.bin");
        int[][][] slots = {{LINKS, {}, {5}}, null, {{3, 1}}};
        assertThat(NodeLinksCodec.encodeBlock(3, i -> slots[i])).isEqualTo(fixture);
        int[] starts = new int[4];
        assertThat(NodeLinksCodec.indexBlock(fixture, starts)).isEqualTo(3);
        assertThat(NodeLinksCodec.decodeBody(fixture, starts[0], starts[1])).isDeepEqualTo(slots[0]);
        assertThat(starts[2]).as("a free slot has no body").isEqualTo(starts[1]);
        assertThat(NodeLinksCodec.decodeBody(fixture, starts[2], starts[3])).isDeepEqualTo(slots[2]);
        assertThat(NodeLinksCodec.FREED).isEqualTo(fixture("v4/node-links-freed.bin"));
        assertThat(NodeLinksCodec.decode(NodeLinksCodec.FREED)).isNull();
    }

    @Test
    void vectorRecordV1() throws IOException {
        byte[] fixture = fixture("v2/vector.bin");
        float[] padded = {9f, NODE_VECTOR[0], NODE_VECTOR[1], NODE_VECTOR[2]};
        assertThat(VectorCodec.encodeRecord(NODE_ID, padded, 1, 3)).isEqualTo(fixture);
        List<String> read = new ArrayList<>();
        VectorCodec.decodeRecord(fixture, 3, new float[3], (offset, id, v) ->
                read.add(offset + " " + id + " " + java.util.Arrays.toString(v)));
        assertThat(read).containsExactly("0 " + NODE_ID + " " + java.util.Arrays.toString(NODE_VECTOR));
    }

    @Test
    void vectorBlockV1() throws IOException {
        byte[] fixture = fixture("v2/block.bin");
        float[] vectors = {1f, 2f, 3f, 0f, 0f, 0f, NODE_VECTOR[0], NODE_VECTOR[1], NODE_VECTOR[2]};
        assertThat(VectorCodec.encodeBlock(new String[] {"a", null, NODE_ID}, vectors, 3)).isEqualTo(fixture);
        List<String> read = new ArrayList<>();
        VectorCodec.decodeBlock(fixture, 3, new float[3], (offset, id, v) ->
                read.add(offset + " " + id + " " + java.util.Arrays.toString(v)));
        assertThat(read).containsExactly("0 a [1.0, 2.0, 3.0]",
                "2 " + NODE_ID + " " + java.util.Arrays.toString(NODE_VECTOR));
    }

    @Test
    void pendingWritesV1() throws IOException {
        byte[] upsert = fixture("v2/pending-upsert.bin");
        byte[] delete = fixture("v2/pending-delete.bin");
        assertThat(PendingWriteCodec.upsert(NODE_ID, NODE_VECTOR)).isEqualTo(upsert);
        assertThat(PendingWriteCodec.delete(NODE_ID)).isEqualTo(delete);
        List<String> read = new ArrayList<>();
        PendingWriteCodec.Visitor visitor = new PendingWriteCodec.Visitor() {
            @Override
            public void upsert(String id, float[] vector) {
                read.add("upsert " + id + " " + java.util.Arrays.toString(vector));
            }

            @Override
            public void delete(String id) {
                read.add("delete " + id);
            }
        };
        PendingWriteCodec.decode(upsert, visitor);
        PendingWriteCodec.decode(delete, visitor);
        assertThat(read).containsExactly("upsert " + NODE_ID + " " + java.util.Arrays.toString(NODE_VECTOR),
                "delete " + NODE_ID);
        upsert[0] = 5;
        assertThatThrownBy(() -> PendingWriteCodec.decode(upsert, visitor)).hasMessageContaining("format version 5");
    }

    @Test
    void unknownVersionsAndBadLengthsFailLoudly() throws IOException {
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
        byte[] nodeLinks = fixture("v2/node-links.bin");
        nodeLinks[0] = 1;
        assertThatThrownBy(() -> NodeLinksCodec.decode(nodeLinks)).hasMessageContaining("format version 1");
        byte[] linkBlock = fixture("v4/link-block.bin");
        assertThatThrownBy(() -> NodeLinksCodec.indexBlock(java.util.Arrays.copyOf(linkBlock, linkBlock.length - 1),
                new int[4])).hasMessageContaining("link block has 31 bytes");
        linkBlock[0] = 2;
        assertThatThrownBy(() -> NodeLinksCodec.indexBlock(linkBlock, new int[4])).hasMessageContaining("format version 2");
        byte[] key = fixture("v2/key.bin");
        key[0] = 3;
        assertThatThrownBy(() -> KeyHeaderCodec.decode(key)).hasMessageContaining("format version 3");
        byte[] block = fixture("v2/block.bin");
        assertThatThrownBy(() -> VectorCodec.decodeBlock(block, 4, new float[4], (o, id, v) -> { }))
                .hasMessageContaining("vector block has 39 bytes");
        byte[] tombstone = fixture("v1/tombstone.bin");
        tombstone[0] = 2;
        assertThatThrownBy(() -> TombstoneCodec.decode(tombstone)).hasMessageContaining("format version 2");
    }

    @Test
    void negativeLinksAreRefused() {
        assertThatThrownBy(() -> NodeLinksCodec.encode(0, new int[][] {{3, -1}})).hasMessageContaining("negative");
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = CodecFormatTest.class.getResourceAsStream("/format/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return in.readAllBytes();
        }
    }
}
