package io.slipway.event.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A text template in the subset of Go's text/template that kube-eventer's and kubernetes-event-exporter's users
 * write: {@code {{ .Reason }}}, {@code {{ .InvolvedObject.Labels.app }}}, {@code {{ index .InvolvedObject.Labels
 * "app.kubernetes.io/name" }}}, {@code {{ toJson . }}}, pipes ({@code {{ .Message | upper }}}) and the trim markers
 * "{{-" and "-}}". Functions: toJson, toPrettyJson, index, upper, lower, default, trunc, quote. A field
 * that does not exist renders as nothing. Parsed once when the configuration is loaded, so a typo is reported with its
 * line instead of at delivery.
 */
public record Template(String source, List<Part> parts) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A piece of the template: literal text or an action. */
    sealed interface Part permits Text, Action {
    }

    record Text(String text) implements Part {
    }

    /** Commands joined by pipes; the value of each is passed as the last argument of the next. */
    record Action(List<Command> commands) implements Part {
    }

    /** A function with arguments, or a single operand. */
    record Command(String function, List<Operand> args) {
    }

    sealed interface Operand permits Field, Literal {
    }

    /** {@code .A.B}; an empty path is the whole event. */
    record Field(List<String> path) implements Operand {
    }

    record Literal(Object value) implements Operand {
    }

    private static final List<String> FUNCTIONS = List.of("toJson", "toPrettyJson", "index", "upper", "lower", "default", "trunc", "quote");

    /** Parses the template; the message of the exception says what is wrong and where in the template. */
    public static Template parse(String source) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        StringBuilder text = new StringBuilder();
        while (i < source.length()) {
            int open = source.indexOf("{{", i);
            if (open < 0) {
                text.append(source, i, source.length());
                break;
            }
            text.append(source, i, open);
            int close = source.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '{{' at character " + (open + 1) + " of the template");
            }
            String inner = source.substring(open + 2, close);
            if (inner.startsWith("-")) {
                trimTrailing(text);
                inner = inner.substring(1);
            }
            boolean trimAfter = inner.endsWith("-");
            if (trimAfter) {
                inner = inner.substring(0, inner.length() - 1);
            }
            if (!text.isEmpty()) {
                parts.add(new Text(text.toString()));
                text.setLength(0);
            }
            parts.add(action(inner.trim(), open + 1));
            i = close + 2;
            if (trimAfter) {
                while (i < source.length() && Character.isWhitespace(source.charAt(i))) {
                    i++;
                }
            }
        }
        if (!text.isEmpty()) {
            parts.add(new Text(text.toString()));
        }
        return new Template(source, List.copyOf(parts));
    }

    /** Whether the template is plain text without any action. */
    public boolean isConstant() {
        return parts.stream().allMatch(p -> p instanceof Text);
    }

    public String render(Map<String, Object> data) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Text t) {
                out.append(t.text());
            } else {
                out.append(asText(evaluate((Action) part, data)));
            }
        }
        return out.toString();
    }

    private static void trimTrailing(StringBuilder text) {
        int end = text.length();
        while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        text.setLength(end);
    }

    private static Action action(String inner, int at) {
        if (inner.isEmpty()) {
            throw new IllegalArgumentException("empty action '{{ }}' at character " + at + " of the template");
        }
        List<Command> commands = new ArrayList<>();
        for (String piece : splitPipes(inner)) {
            List<String> tokens = tokens(piece.trim(), at);
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("empty command in '{{" + inner + "}}' at character " + at);
            }
            String head = tokens.get(0);
            if (head.startsWith(".") || head.startsWith("\"") || Character.isDigit(head.charAt(0))) {
                if (tokens.size() > 1 || !commands.isEmpty()) {
                    throw new IllegalArgumentException("'" + head + "' is not a function in '{{" + inner + "}}' at character " + at);
                }
                commands.add(new Command(null, List.of(operand(head, inner, at))));
            } else {
                if (!FUNCTIONS.contains(head)) {
                    throw new IllegalArgumentException("unknown function '" + head + "' in '{{" + inner + "}}' at character " + at
                            + " (known: " + String.join(", ", FUNCTIONS) + ")");
                }
                List<Operand> args = new ArrayList<>();
                for (String t : tokens.subList(1, tokens.size())) {
                    args.add(operand(t, inner, at));
                }
                int given = args.size() + (commands.isEmpty() ? 0 : 1);
                int[] arity = arity(head);
                if (given < arity[0] || given > arity[1]) {
                    throw new IllegalArgumentException(head + " takes " + (arity[0] == arity[1] ? String.valueOf(arity[0]) : arity[0] + " or more")
                            + " argument(s), " + given + " given in '{{" + inner + "}}' at character " + at);
                }
                commands.add(new Command(head, List.copyOf(args)));
            }
        }
        return new Action(List.copyOf(commands));
    }

    private static int[] arity(String function) {
        return switch (function) {
            case "index" -> new int[] {2, 10};
            case "default", "trunc" -> new int[] {2, 2};
            default -> new int[] {1, 1};
        };
    }

    private static List<String> splitPipes(String s) {
        List<String> pieces = new ArrayList<>();
        boolean quoted = false;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (c == '|' && !quoted) {
                pieces.add(s.substring(from, i));
                from = i + 1;
            }
        }
        pieces.add(s.substring(from));
        return pieces;
    }

    private static List<String> tokens(String s, int at) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                int j = i + 1;
                while (j < s.length() && !(s.charAt(j) == '"' && s.charAt(j - 1) != '\\')) {
                    j++;
                }
                if (j >= s.length()) {
                    throw new IllegalArgumentException("unterminated string in template at character " + at);
                }
                tokens.add(s.substring(i, j + 1));
                i = j + 1;
            } else {
                int j = i;
                while (j < s.length() && !Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
                tokens.add(s.substring(i, j));
                i = j;
            }
        }
        return tokens;
    }

    private static Operand operand(String token, String inner, int at) {
        if (token.startsWith("\"")) {
            return new Literal(token.substring(1, token.length() - 1).replace("\\\"", "\"").replace("\\n", "\n"));
        }
        if (token.equals(".")) {
            return new Field(List.of());
        }
        if (token.startsWith(".")) {
            List<String> path = List.of(token.substring(1).split("\\."));
            for (String p : path) {
                if (!p.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("'" + token + "' is not a field reference in '{{" + inner + "}}' at character " + at
                            + " (use index for keys with dots or slashes)");
                }
            }
            return new Field(path);
        }
        if (token.matches("-?\\d+")) {
            return new Literal(Long.parseLong(token));
        }
        throw new IllegalArgumentException("'" + token + "' is neither a field (.Name), a string (\"x\") nor a number in '{{"
                + inner + "}}' at character " + at);
    }

    private static Object evaluate(Action action, Map<String, Object> data) {
        Object value = null;
        boolean first = true;
        for (Command c : action.commands()) {
            List<Object> args = new ArrayList<>();
            for (Operand o : c.args()) {
                args.add(value(o, data));
            }
            if (!first) {
                args.add(value);
            }
            value = c.function() == null ? args.get(0) : apply(c.function(), args);
            first = false;
        }
        return value;
    }

    private static Object value(Operand o, Map<String, Object> data) {
        if (o instanceof Literal l) {
            return l.value();
        }
        Object current = data;
        for (String key : ((Field) o).path()) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    private static Object apply(String function, List<Object> args) {
        return switch (function) {
            case "toJson" -> json(JSON, args.get(0));
            case "toPrettyJson" -> json(PRETTY, args.get(0));
            case "upper" -> asText(args.get(0)).toUpperCase(Locale.ROOT);
            case "lower" -> asText(args.get(0)).toLowerCase(Locale.ROOT);
            case "quote" -> json(JSON, asText(args.get(0)));
            case "default" -> {
                Object v = args.get(1);
                yield v == null || asText(v).isEmpty() ? args.get(0) : v;
            }
            case "trunc" -> {
                String s = asText(args.get(1));
                int n = (int) Math.max(0, toLong(args.get(0)));
                yield s.length() <= n ? s : s.substring(0, n);
            }
            case "index" -> {
                Object current = args.get(0);
                for (Object key : args.subList(1, args.size())) {
                    current = current instanceof Map<?, ?> m ? m.get(asText(key)) : null;
                }
                yield current;
            }
            default -> throw new IllegalStateException("unknown function " + function);
        };
    }

    private static long toLong(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(asText(o).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String json(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Strings as they are, maps and lists as JSON, nothing as the empty string. */
    static String asText(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return json(JSON, value);
        }
        return value.toString();
    }
}
