package io.flinkhnsw.job.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one shared, thread-safe Jackson mapper of the codecs. NaN/Infinity tokens are accepted by the
 * parser on purpose, so such vectors get the precise "vector[i] is NaN" reason instead of a generic
 * JSON syntax error; duplicate fields and trailing content are errors. Numbers are read and
 * written with Jackson's fast float parser and writer.
 */
public final class Json {
    public static final ObjectMapper MAPPER = create();

    private Json() {
    }

    private static ObjectMapper create() {
        JsonFactory f = new JsonFactoryBuilder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // vectors are hundreds of numbers per event: Jackson's bundled fast (and exactly
                // rounding) decimal parser and shortest-text writer instead of the JDK's
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                .build();
        return new ObjectMapper(f).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
