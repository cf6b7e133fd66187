package io.flinkhnsw.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdBytesTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "42", "item-\u00e9t\u00e9", "\u03b9\u03b4-7", "emoji-\ud83d\ude00", "\u00ff\u0100"})
    void anIdSurvivesEncodingAndIsMatchedAndHashedAsTheString(String id) {
        byte[] bytes = IdBytes.encode(id);
        assertThat(IdBytes.decode(bytes)).isEqualTo(id);
        assertThat(IdBytes.matches(bytes, id)).isTrue();
        assertThat(IdBytes.hash(bytes)).isEqualTo(id.hashCode());
        assertThat(IdBytes.matches(bytes, id + "x")).isFalse();
        if (!id.isEmpty()) {
            String other = id.substring(0, id.length() - 1) + (char) (id.charAt(id.length() - 1) ^ 1);
            assertThat(IdBytes.matches(bytes, other)).isFalse();
        }
    }
}
