package io.flinkhnsw.operators;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Flink's type information for {@link IndexEvent}: an atomic type serialized by
 * {@link IndexEventSerializer}. {@link IndexEvent} names {@link Factory} in its {@code @TypeInfo}
 * annotation, so every stream of events (and every POJO holding one) uses it without being told.
 */
public final class IndexEventTypeInfo extends TypeInformation<IndexEvent> {
    private static final long serialVersionUID = 1L;

    public static final IndexEventTypeInfo INSTANCE = new IndexEventTypeInfo();

    private IndexEventTypeInfo() {
    }

    /** What the {@code @TypeInfo} annotation on {@link IndexEvent} points at. */
    public static final class Factory extends TypeInfoFactory<IndexEvent> {
        @Override
        public TypeInformation<IndexEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<IndexEvent> getTypeClass() {
        return IndexEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<IndexEvent> createSerializer(SerializerConfig config) {
        return IndexEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "IndexEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return IndexEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof IndexEventTypeInfo;
    }
}
