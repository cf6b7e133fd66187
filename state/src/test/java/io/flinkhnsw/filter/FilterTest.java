package io.flinkhnsw.filter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every form of filter parses against its declared fields, and every bad filter is refused with a reason that says what is wrong. */
class FilterTest {
    private static final FilterFields FIELDS = FilterFields.parse("color:keyword,price:number,in_stock:bool,shipping.free:bool");

    @Test
    void declaredFieldsParseAndPrint() {
        assertThat(FIELDS.type("shipping.free")).isEqualTo(FieldType.BOOL);
        assertThat(FIELDS.type("size")).isNull();
        assertThat(FilterFields.parse(FIELDS.toString())).isEqualTo(FIELDS);
        assertThat(FilterFields.parse("a:keyword|b:number").types()).containsOnlyKeys("a", "b");
        assertThat(FilterFields.parse(" ")).isSameAs(FilterFields.NONE);
        assertThatThrownBy(() -> FilterFields.parse("color:text")).hasMessageContaining("unknown field type 'text'");
        assertThatThrownBy(() -> FilterFields.parse("color")).hasMessageContaining("is not PATH:TYPE");
        assertThatThrownBy(() -> FilterFields.parse("a:bool,a:bool")).hasMessageContaining("declared twice");
    }

    @Test
    void everyFormParses() {
        Filter.parse("{}", FIELDS);
        Filter.parse("{\"must\":[{\"field\":\"color\",\"match\":\"red\"},{\"field\":\"in_stock\",\"match\":true}],"
                + "\"should\":[{\"field\":\"color\",\"any\":[\"red\",\"blue\"]},{\"field\":\"price\",\"match\":5}],"
                + "\"must_not\":[{\"field\":\"price\",\"range\":{\"gte\":10,\"lt\":100}},"
                + "{\"field\":\"shipping.free\",\"match\":false}]}", FIELDS);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "undeclared field|{\"must\":[{\"field\":\"size\",\"match\":\"xl\"}]}|field 'size' is not filterable",
        "range on a keyword|{\"must\":[{\"field\":\"color\",\"range\":{\"gte\":1}}]}|range does not apply to keyword field 'color'",
        "any on a number|{\"should\":[{\"field\":\"price\",\"any\":[\"1\"]}]}|any does not apply to number field 'price'",
        "string on a number|{\"must\":[{\"field\":\"price\",\"match\":\"ten\"}]}|match of a string does not apply to number field",
        "number on a keyword|{\"must\":[{\"field\":\"color\",\"match\":3}]}|match of a number does not apply to keyword field",
        "string on a bool|{\"must\":[{\"field\":\"in_stock\",\"match\":\"yes\"}]}|match of a string does not apply to bool field",
        "no condition|{\"must\":[{\"field\":\"color\"}]}|must have \"field\" and exactly one of match, any, range",
        "unknown condition|{\"must\":[{\"field\":\"color\",\"regex\":\"r.*\"}]}|must have one of match, any, range",
        "two conditions|{\"must\":[{\"field\":\"color\",\"match\":\"red\",\"any\":[\"a\"]}]}|exactly one of match, any, range",
        "no field|{\"must\":[{\"match\":\"red\"}]}|needs a \"field\"",
        "unknown part|{\"and\":[]}|unknown part 'and'",
        "list not a list|{\"must\":{\"field\":\"color\",\"match\":\"red\"}}|filter.must must be a list",
        "not an object|[1]|filter must be an object",
        "empty any|{\"must\":[{\"field\":\"color\",\"any\":[]}]}|any must be a list of 1..1024 strings",
        "any with a number|{\"must\":[{\"field\":\"color\",\"any\":[\"a\",1]}]}|any must hold strings only",
        "unknown bound|{\"must\":[{\"field\":\"price\",\"range\":{\"from\":1}}]}|range takes numbers under gt, gte, lt, lte",
        "bound not a number|{\"must\":[{\"field\":\"price\",\"range\":{\"gt\":\"1\"}}]}|range takes numbers",
        "two lower bounds|{\"must\":[{\"field\":\"price\",\"range\":{\"gt\":1,\"gte\":2}}]}|two lower or two upper bounds",
        "empty range|{\"must\":[{\"field\":\"price\",\"range\":{}}]}|range must be an object",
    })
    void badFiltersAreRefusedWithTheReason(String label, String json, String reason) {
        assertThatThrownBy(() -> Filter.parse(json, FIELDS)).as(label).isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void tooManyConditionsAndNoDeclaredFieldsAreRefused() {
        String many = "{\"should\":[" + "{\"field\":\"color\",\"match\":\"a\"},".repeat(Filter.MAX_CONDITIONS)
                + "{\"field\":\"color\",\"match\":\"b\"}]}";
        assertThatThrownBy(() -> Filter.parse(many, FIELDS)).hasMessageContaining("more than " + Filter.MAX_CONDITIONS);
        assertThatThrownBy(() -> Filter.parse("{}", FilterFields.NONE)).hasMessageContaining("no filterable fields");
    }
}
