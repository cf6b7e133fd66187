package io.flinkhnsw.filter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A query's payload filter, in Qdrant's form: {@code {"must":[C..],"should":[C..],"must_not":[C..]}}
 * where every {@code must} condition holds, no {@code must_not} condition holds, and at least one
 * {@code should} condition holds when there is any. A condition names a declared field and is one
 * of {@code {"field":"color","match":"red"}} (keyword), {@code {"field":"in_stock","match":true}}
 * (bool), {@code {"field":"price","match":10}} (number: equality), {@code {"field":"color","any":["red","blue"]}}
 * (keyword) or {@code {"field":"price","range":{"gte":10,"lt":100}}} (number; any of gt, gte, lt,
 * lte). An array-valued field matches when one of its elements does. {@link #parse} refuses any
 * other shape, an undeclared field and a condition of another type than its field, with the reason.
 */
public final class Filter {
    /** Most conditions in one filter, over its three lists. */
    public static final int MAX_CONDITIONS = 64;
    /** Most values in one {@code any}. */
    public static final int MAX_ANY_VALUES = 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LISTS = Set.of("must", "should", "must_not");
    private static final Set<String> BOUNDS = Set.of("gt", "gte", "lt", "lte");

    /** One condition on one field. */
    private sealed interface Condition permits Keywords, Range, Bool {
        FieldColumn.Test on(FieldIndex index);
    }

    private record Keywords(String field, List<String> values) implements Condition {
        public FieldColumn.Test on(FieldIndex index) {
            return index.column(field).keywords(values);
        }
    }

    private record Range(String field, double low, boolean lowInclusive, double high, boolean highInclusive)
            implements Condition {
        public FieldColumn.Test on(FieldIndex index) {
            return index.column(field).range(low, lowInclusive, high, highInclusive, index.live(), index.limit());
        }
    }

    private record Bool(String field, boolean value) implements Condition {
        public FieldColumn.Test on(FieldIndex index) {
            return index.column(field).bools(value);
        }
    }

    private final List<Condition> must;
    private final List<Condition> should;
    private final List<Condition> mustNot;

    private Filter(List<Condition> must, List<Condition> should, List<Condition> mustNot) {
        this.must = must;
        this.should = should;
        this.mustNot = mustNot;
    }

    /**
     * Parses the filter object {@code json} against the declared {@code fields}.
     *
     * @throws InvalidFilterException with a reason a person can act on
     */
    public static Filter parse(String json, FilterFields fields) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidFilterException("filter is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidFilterException("filter must be an object with must, should and/or must_not lists");
        }
        if (fields.isEmpty()) {
            throw new InvalidFilterException("this key has no filterable fields; declare them with --filter-fields"
                    + " (or filter-fields in --key-overrides)");
        }
        List<List<Condition>> lists = new ArrayList<>();
        int total = 0;
        for (String name : List.of("must", "should", "must_not")) {
            JsonNode list = root.get(name);
            List<Condition> conditions = new ArrayList<>();
            if (list != null && !list.isNull()) {
                if (!list.isArray()) {
                    throw new InvalidFilterException("filter." + name + " must be a list of conditions");
                }
                for (JsonNode c : list) {
                    conditions.add(condition(c, name, fields));
                }
            }
            total += conditions.size();
            lists.add(conditions);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!LISTS.contains(name)) {
                throw new InvalidFilterException("filter has an unknown part '" + name + "' (must, should, must_not)");
            }
        }
        if (total > MAX_CONDITIONS) {
            throw new InvalidFilterException("filter has " + total + " conditions, more than " + MAX_CONDITIONS);
        }
        return new Filter(lists.get(0), lists.get(1), lists.get(2));
    }

    private static Condition condition(JsonNode c, String list, FilterFields fields) {
        String where = "filter." + list + ": condition " + cut(c);
        if (!c.isObject() || !c.path("field").isTextual()) {
            throw new InvalidFilterException(where + " needs a \"field\" (a string) and one of match, any, range");
        }
        String field = c.get("field").textValue();
        FieldType type = fields.type(field);
        if (type == null) {
            throw new InvalidFilterException(where + ": field '" + field + "' is not filterable (declared: "
                    + fields + ")");
        }
        if (c.size() != 2) {
            throw new InvalidFilterException(where + " must have \"field\" and exactly one of match, any, range");
        }
        JsonNode match = c.get("match");
        JsonNode any = c.get("any");
        JsonNode range = c.get("range");
        if (match != null && match.isTextual() && type == FieldType.KEYWORD) {
            return new Keywords(field, List.of(match.textValue()));
        }
        if (match != null && match.isBoolean() && type == FieldType.BOOL) {
            return new Bool(field, match.booleanValue());
        }
        if (match != null && match.isNumber() && type == FieldType.NUMBER) {
            return new Range(field, match.doubleValue(), true, match.doubleValue(), true);
        }
        if (any != null && type == FieldType.KEYWORD) {
            return anyOf(field, any, where);
        }
        if (range != null && type == FieldType.NUMBER) {
            return range(field, range, where);
        }
        if (match == null && any == null && range == null) {
            throw new InvalidFilterException(where + " must have one of match, any, range");
        }
        String kind = match != null ? "match of a " + kind(match) : any != null ? "any" : "range";
        throw new InvalidFilterException(where + ": " + kind + " does not apply to " + type.cliName() + " field '"
                + field + "' (keyword: match a string or any; number: range or match a number; bool: match"
                + " true or false)");
    }

    private static Condition anyOf(String field, JsonNode any, String where) {
        if (!any.isArray() || any.isEmpty() || any.size() > MAX_ANY_VALUES) {
            throw new InvalidFilterException(where + ": any must be a list of 1.." + MAX_ANY_VALUES + " strings");
        }
        List<String> values = new ArrayList<>(any.size());
        for (JsonNode v : any) {
            if (!v.isTextual()) {
                throw new InvalidFilterException(where + ": any must hold strings only, got " + cut(v));
            }
            values.add(v.textValue());
        }
        return new Keywords(field, values);
    }

    private static Condition range(String field, JsonNode range, String where) {
        if (!range.isObject() || range.isEmpty()) {
            throw new InvalidFilterException(where + ": range must be an object with gt, gte, lt and/or lte");
        }
        double low = Double.NEGATIVE_INFINITY;
        double high = Double.POSITIVE_INFINITY;
        boolean lowInclusive = true;
        boolean highInclusive = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = range.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> b = it.next();
            if (!BOUNDS.contains(b.getKey()) || !b.getValue().isNumber()) {
                throw new InvalidFilterException(where + ": range takes numbers under gt, gte, lt, lte; got '"
                        + b.getKey() + "': " + cut(b.getValue()));
            }
            double x = b.getValue().doubleValue();
            switch (b.getKey()) {
                case "gt" -> { low = x; lowInclusive = false; }
                case "gte" -> { low = x; lowInclusive = true; }
                case "lt" -> { high = x; highInclusive = false; }
                default -> { high = x; highInclusive = true; }
            }
        }
        if (range.has("gt") && range.has("gte") || range.has("lt") && range.has("lte")) {
            throw new InvalidFilterException(where + ": range has two lower or two upper bounds");
        }
        return new Range(field, low, lowInclusive, high, highInclusive);
    }

    private static String kind(JsonNode v) {
        return v.isTextual() ? "string" : v.isNumber() ? "number" : v.isBoolean() ? "boolean" : v.getNodeType().name().toLowerCase();
    }

    private static String cut(JsonNode v) {
        String s = v.toString();
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    /** Whether an id without any indexed value matches: only when nothing must or should hold. */
    boolean matchesMissing() {
        return must.isEmpty() && should.isEmpty();
    }

    /** The tests of each list on {@code index}: must, should, must_not. */
    FieldColumn.Test[][] tests(FieldIndex index) {
        return new FieldColumn.Test[][] {tests(must, index), tests(should, index), tests(mustNot, index)};
    }

    private static FieldColumn.Test[] tests(List<Condition> conditions, FieldIndex index) {
        return conditions.stream().map(c -> c.on(index)).toArray(FieldColumn.Test[]::new);
    }
}
