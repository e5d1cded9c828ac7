package io.slipway.gotemplate;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The functions a template may call: Go's builtins {@code index len not and or eq ne}, and sprig's {@code default
 * quote upper lower trunc toJson toPrettyJson} that sealer's and kube-eventer's users write. A piped value is the last
 * argument, as in Go: {@code .Message | trunc 20} is {@code trunc 20 .Message}.
 */
final class Functions {
    static final List<String> NAMES = List.of("index", "len", "not", "and", "or", "eq", "ne", "default", "quote", "upper", "lower",
            "trunc", "toJson", "toPrettyJson");

    private Functions() {
    }

    static void checkArity(String name, int line, String function, int given) {
        int[] range = switch (function) {
            case "index" -> new int[] {2, Integer.MAX_VALUE};
            case "and", "or" -> new int[] {1, Integer.MAX_VALUE};
            case "eq" -> new int[] {2, Integer.MAX_VALUE};
            case "ne", "default", "trunc" -> new int[] {2, 2};
            case "quote" -> new int[] {0, Integer.MAX_VALUE};
            default -> new int[] {1, 1};
        };
        if (given < range[0] || given > range[1]) {
            String takes = range[0] == range[1] ? String.valueOf(range[0]) : range[1] == Integer.MAX_VALUE ? range[0] + " or more"
                    : range[0] + " to " + range[1];
            throw new TemplateError(name, line, function + " takes " + takes + " argument(s), " + given + " given");
        }
    }

    /** Calls {@code function}; a mistake with the data (len of a number) is a {@link TemplateError} at {@code line}. */
    static Object call(String name, int line, String function, List<Object> args) {
        return switch (function) {
            case "index" -> index(name, line, args);
            case "len" -> {
                Object v = args.get(0);
                if (v instanceof String s) {
                    yield (long) s.length();
                }
                if (v instanceof java.util.Collection<?> c) {
                    yield (long) c.size();
                }
                if (v instanceof Map<?, ?> m) {
                    yield (long) m.size();
                }
                throw new TemplateError(name, line, "len of " + describe(v));
            }
            case "not" -> !Values.truthy(args.get(0));
            case "and" -> {
                for (Object a : args) {
                    if (!Values.truthy(a)) {
                        yield a;
                    }
                }
                yield args.get(args.size() - 1);
            }
            case "or" -> {
                for (Object a : args) {
                    if (Values.truthy(a)) {
                        yield a;
                    }
                }
                yield args.get(args.size() - 1);
            }
            case "eq" -> args.subList(1, args.size()).stream().anyMatch(b -> same(args.get(0), b));
            case "ne" -> !same(args.get(0), args.get(1));
            case "default" -> Values.truthy(args.get(1)) ? args.get(1) : args.get(0);
            case "quote" -> String.join(" ", args.stream().filter(a -> a != null && !Values.isMissing(a))
                    .map(a -> Values.json(Values.JSON, text(a))).toList());
            case "upper" -> text(args.get(0)).toUpperCase(Locale.ROOT);
            case "lower" -> text(args.get(0)).toLowerCase(Locale.ROOT);
            case "trunc" -> {
                String s = text(args.get(1));
                long n = number(name, line, args.get(0));
                if (n < 0) {
                    yield s.length() + n > 0 ? s.substring((int) (s.length() + n)) : s;
                }
                yield s.length() <= n ? s : s.substring(0, (int) n);
            }
            case "toJson" -> Values.json(Values.JSON, args.get(0));
            case "toPrettyJson" -> Values.json(Values.PRETTY, args.get(0));
            default -> throw new TemplateError(name, line, "unknown function '" + function + "'");
        };
    }

    private static Object index(String name, int line, List<Object> args) {
        Object current = args.get(0);
        for (Object key : args.subList(1, args.size())) {
            if (current instanceof Map<?, ?> m) {
                String k = Values.scalar(key);
                current = m.containsKey(k) ? m.get(k) : new Values.NoValue(k);
            } else if (current instanceof List<?> l) {
                long i = number(name, line, key);
                if (i < 0 || i >= l.size()) {
                    throw new TemplateError(name, line, "index " + i + " out of range (" + l.size() + " items)");
                }
                current = l.get((int) i);
            } else if (current == null || Values.isMissing(current)) {
                current = new Values.NoValue(Values.scalar(key));
            } else {
                throw new TemplateError(name, line, "cannot index " + describe(current) + " with " + Values.scalar(key));
            }
        }
        return current;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        if (Values.isMissing(a) || Values.isMissing(b)) {
            return Values.isMissing(a) && Values.isMissing(b) || (a == null || b == null);
        }
        return Objects.equals(a, b);
    }

    private static long number(String name, int line, Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(text(v).strip());
        } catch (NumberFormatException e) {
            throw new TemplateError(name, line, "expected a number, got " + describe(v));
        }
    }

    /** A value as text for a string function: no value and nil as the empty string. */
    static String text(Object v) {
        return v == null || Values.isMissing(v) ? "" : v instanceof String s ? s : Values.goString(v);
    }

    static String describe(Object v) {
        if (v == null) {
            return "nil";
        }
        if (Values.isMissing(v)) {
            return "<no value>";
        }
        return v instanceof String ? "a string" : v instanceof Number ? "a number" : v instanceof Boolean ? "a boolean"
                : v instanceof Map<?, ?> ? "a map" : v instanceof java.util.Collection<?> ? "a list" : v.getClass().getSimpleName();
    }
}
