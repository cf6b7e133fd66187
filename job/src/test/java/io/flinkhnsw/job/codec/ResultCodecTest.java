package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.operators.Neighbour;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.Vote;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultCodecTest {
    @Test
    void writesTheDocumentedShapeAndReadsBackEqual() throws Exception {
        QueryResult r = new QueryResult("q-7", "shop-1", List.of(
                new Neighbour("item-9", 0.123f, "{\"name\":\"x\"}"),
                new Neighbour("item-3", 1.0000001f, null)), 4900, 321);
        byte[] json = ResultCodec.toJson(r);
        JsonNode o = Json.MAPPER.readTree(json);
        assertThat(o.get("queryId").textValue()).isEqualTo("q-7");
        assertThat(o.get("key").textValue()).isEqualTo("shop-1");
        assertThat(o.get("neighbours").get(0).get("payload").get("name").textValue()).isEqualTo("x");
        assertThat(o.get("neighbours").get(1).has("payload")).isFalse();
        assertThat(o.get("indexSize").intValue()).isEqualTo(4900);
        assertThat(o.get("tookMicros").longValue()).isEqualTo(321);
        QueryResult back = ResultCodec.fromJson(json);
        assertThat(back).isEqualTo(r);
        assertThat(back.neighbours.get(1).distance).isEqualTo(1.0000001f);
    }

    @Test
    void writesVoteErrorAndGetAnswersAndReadsThemBack() throws Exception {
        QueryResult voted = new QueryResult("q", "s", List.of(new Neighbour("a", 1f, "{\"label\":3}")), 10, 5);
        voted.vote = new Vote("3", 1.0);
        QueryResult noVote = new QueryResult("q", "s", List.of(), 10, 5);
        noVote.vote = new Vote(null, 0);
        QueryResult unknown = QueryResult.error("q-8", "s", false, "unknown id: item-42");
        QueryResult got = QueryResult.got("g", "s", "a", new float[] {0.5f, -1f}, "{\"p\":1}");
        QueryResult notGot = QueryResult.got("g", "s", "b", null, null);
        assertThat(json(voted).get("vote").toString()).isEqualTo("{\"value\":3,\"share\":1.0}");
        assertThat(json(noVote).get("vote").isNull()).isTrue();
        assertThat(json(unknown).toString()).isEqualTo(
                "{\"queryId\":\"q-8\",\"key\":\"s\",\"neighbours\":[],\"indexSize\":0,\"tookMicros\":0,\"error\":\"unknown id: item-42\"}");
        assertThat(json(got).toString()).isEqualTo(
                "{\"queryId\":\"g\",\"key\":\"s\",\"id\":\"a\",\"vector\":[0.5,-1.0],\"payload\":{\"p\":1}}");
        assertThat(json(notGot).toString()).isEqualTo(
                "{\"queryId\":\"g\",\"key\":\"s\",\"id\":\"b\",\"vector\":null,\"error\":\"unknown id: b\"}");
        for (QueryResult r : List.of(voted, noVote, unknown, got, notGot)) {
            assertThat(ResultCodec.fromJson(ResultCodec.toJson(r))).isEqualTo(r);
        }
    }

    private static JsonNode json(QueryResult r) throws Exception {
        return Json.MAPPER.readTree(ResultCodec.toJson(r));
    }

    @Test
    void deadLetterHasErrorSourceAndRaw() throws Exception {
        DeadLetter d = new DeadLetter("vector[1] is NaN", "hnsw-events", 1, 17, "shop-1", "{\"op\":...}", 10);
        JsonNode o = Json.MAPPER.readTree(DeadLetterCodec.toJson(d));
        assertThat(o.get("error").textValue()).isEqualTo("vector[1] is NaN");
        assertThat(o.get("source").get("topic").textValue()).isEqualTo("hnsw-events");
        assertThat(o.get("source").get("partition").intValue()).isEqualTo(1);
        assertThat(o.get("source").get("offset").longValue()).isEqualTo(17);
        assertThat(o.get("raw").textValue()).isEqualTo("{\"op\":...}");
        assertThat(DeadLetterCodec.fromJson(DeadLetterCodec.toJson(d), "shop-1")).isEqualTo(d);
        assertThat(new String(DeadLetterCodec.toJson(d), StandardCharsets.UTF_8)).doesNotContain("\n");
    }
}
