package io.slipway.deploy.clusterfile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the Go text/template subset sealer's {@code *.tmpl} files use, with the Clusterfile's env as data:
 * {@code {{ .Key }}}, {@code {{ index . "key-with-dashes" }}}, {@code {{ .Key | default "x" }}}, {@code {{- -}}} trimming,
 * {@code if}/{@code else}/{@code end}, {@code range .List}, {@code range $i, $v := .List} with {@code {{ . }}},
 * {@code $v}, {@code $i}, and comments. As sealer does, a value holding {@code ;} is a list ({@code a;b}). A key that
 * is not set and has no default is an error naming file, line and key.
 */
public final class TemplateRenderer {

    private TemplateRenderer() {
    }

    public static String render(String template, Map<String, ?> values, String file) throws TemplateException {
        List<Token> tokens = tokenize(template, file);
        StringBuilder out = new StringBuilder();
        Parser p = new Parser(tokens, file);
        List<Part> parts = p.parseUntil(Set.of());
        Scope scope = new Scope(values, values, new HashMap<>());
        for (Part part : parts) {
            part.render(scope, out);
        }
        return out.toString();
    }

    private static final class Set {
        static java.util.Set<String> of(String... s) {
            return java.util.Set.of(s);
        }
    }

    private record Token(boolean action, String text, int line) {
    }

    private static List<Token> tokenize(String t, String file) throws TemplateException {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int line = 1;
        boolean trimNextText = false;
        while (i < t.length()) {
            int open = t.indexOf("{{", i);
            String text = open < 0 ? t.substring(i) : t.substring(i, open);
            if (trimNextText) {
                text = text.stripLeading();
            }
            if (open < 0) {
                tokens.add(new Token(false, text, line));
                break;
            }
            int close = t.indexOf("}}", open);
            if (close < 0) {
                throw new TemplateException(file, line + count(t.substring(i, open)), "'{{' is not closed");
            }
            String inner = t.substring(open + 2, close);
            boolean trimLeft = inner.startsWith("-") && (inner.length() == 1 || Character.isWhitespace(inner.charAt(1)));
            boolean trimRight = inner.endsWith("-") && inner.length() > 1 && Character.isWhitespace(inner.charAt(inner.length() - 2));
            if (trimLeft) {
                text = text.stripTrailing();
                inner = inner.substring(1);
            }
            if (trimRight) {
                inner = inner.substring(0, inner.length() - 1);
            }
            tokens.add(new Token(false, text, line));
            line += count(t.substring(i, open));
            tokens.add(new Token(true, inner.strip(), line));
            line += count(t.substring(open, close));
            trimNextText = trimRight;
            i = close + 2;
        }
        return tokens;
    }

    private static int count(String s) {
        return (int) s.chars().filter(c -> c == '\n').count();
    }

    private interface Part {
        void render(Scope scope, StringBuilder out) throws TemplateException;
    }

    private record Scope(Map<String, ?> root, Object dot, Map<String, Object> vars) {
    }

    private static final class Parser {
        private final List<Token> tokens;
        private final String file;
        private int pos;
        private String stoppedAt;

        Parser(List<Token> tokens, String file) {
            this.tokens = tokens;
            this.file = file;
        }

        List<Part> parseUntil(java.util.Set<String> stops) throws TemplateException {
            List<Part> parts = new ArrayList<>();
            while (pos < tokens.size()) {
                Token t = tokens.get(pos++);
                if (!t.action()) {
                    String text = t.text();
                    parts.add((scope, out) -> out.append(text));
                    continue;
                }
                String a = t.text();
                String word = a.split("\\s+", 2)[0];
                if (a.startsWith("/*")) {
                    continue;
                }
                if (stops.contains(word)) {
                    stoppedAt = word;
                    return parts;
                }
                switch (word) {
                    case "if" -> parts.add(parseIf(t));
                    case "range" -> parts.add(parseRange(t));
                    case "end", "else" -> throw new TemplateException(file, t.line(), "'" + word + "' without 'if' or 'range'");
                    default -> {
                        String expr = a;
                        int line = t.line();
                        parts.add((scope, out) -> out.append(text(eval(expr, scope, line))));
                    }
                }
            }
            if (!stops.isEmpty()) {
                throw new TemplateException(file, tokens.isEmpty() ? 1 : tokens.get(tokens.size() - 1).line(), "missing {{ end }}");
            }
            return parts;
        }

        private Part parseIf(Token t) throws TemplateException {
            String cond = t.text().substring(2).strip();
            List<Part> then = parseUntil(Set.of("else", "end"));
            List<Part> otherwise = List.of();
            if ("else".equals(stoppedAt)) {
                otherwise = parseUntil(Set.of("end"));
            }
            List<Part> yes = then;
            List<Part> no = otherwise;
            return (scope, out) -> {
                for (Part p : truthy(evalLenient(cond, scope)) ? yes : no) {
                    p.render(scope, out);
                }
            };
        }

        private Part parseRange(Token t) throws TemplateException {
            String spec = t.text().substring(5).strip();
            String indexVar = null;
            String valueVar = null;
            int assign = spec.indexOf(":=");
            if (assign >= 0) {
                String[] vars = spec.substring(0, assign).split(",");
                if (vars.length == 2) {
                    indexVar = vars[0].strip();
                    valueVar = vars[1].strip();
                } else {
                    valueVar = vars[0].strip();
                }
                spec = spec.substring(assign + 2).strip();
            }
            List<Part> body = parseUntil(Set.of("else", "end"));
            List<Part> empty = List.of();
            if ("else".equals(stoppedAt)) {
                empty = parseUntil(Set.of("end"));
            }
            String expr = spec;
            String iv = indexVar;
            String vv = valueVar;
            List<Part> whenEmpty = empty;
            int line = t.line();
            return (scope, out) -> {
                List<?> items = list(eval(expr, scope, line));
                if (items.isEmpty()) {
                    for (Part p : whenEmpty) {
                        p.render(scope, out);
                    }
                }
                for (int i = 0; i < items.size(); i++) {
                    Map<String, Object> vars = new HashMap<>(scope.vars());
                    if (iv != null) {
                        vars.put(iv, i);
                    }
                    if (vv != null) {
                        vars.put(vv, items.get(i));
                    }
                    Scope inner = new Scope(scope.root(), items.get(i), vars);
                    for (Part p : body) {
                        p.render(inner, out);
                    }
                }
            };
        }

        private Object evalLenient(String expr, Scope scope) throws TemplateException {
            try {
                return eval(expr, scope, 0);
            } catch (MissingKey e) {
                return null; // `if .Key` tests whether it is set
            }
        }

        private Object eval(String expr, Scope scope, int line) throws TemplateException {
            String[] stages = expr.split("\\|");
            Object value = operand(stages[0].strip(), scope, line, stages.length > 1);
            for (int i = 1; i < stages.length; i++) {
                String stage = stages[i].strip();
                if (stage.startsWith("default ")) {
                    Object fallback = literal(stage.substring(8).strip(), line);
                    if (!truthy(value)) {
                        value = fallback;
                    }
                } else if (stage.equals("quote")) {
                    value = "\"" + text(value) + "\"";
                } else if (stage.equals("upper")) {
                    value = text(value).toUpperCase(java.util.Locale.ROOT);
                } else if (stage.equals("lower")) {
                    value = text(value).toLowerCase(java.util.Locale.ROOT);
                } else {
                    throw new TemplateException(file, line, "unknown function '" + stage.split("\\s+")[0] + "' (default, quote, upper, lower)");
                }
            }
            return value;
        }

        private Object operand(String op, Scope scope, int line, boolean piped) throws TemplateException {
            if (op.equals(".")) {
                return scope.dot();
            }
            if (op.startsWith("$")) {
                if (!scope.vars().containsKey(op)) {
                    throw new TemplateException(file, line, "variable " + op + " is not defined");
                }
                return scope.vars().get(op);
            }
            if (op.startsWith("index ")) {
                String[] args = op.substring(6).strip().split("\\s+", 2);
                Object base = operand(args[0], scope, line, piped);
                Object key = literal(args[1].strip(), line);
                return lookup(base, String.valueOf(key), line, piped);
            }
            if (op.startsWith(".")) {
                Object base = scope.root();
                for (String part : op.substring(1).split("\\.")) {
                    base = lookup(base, part, line, piped);
                }
                return base;
            }
            if (op.startsWith("\"")) {
                return literal(op, line);
            }
            throw new TemplateException(file, line, "cannot evaluate '" + op + "'");
        }

        private Object lookup(Object base, String key, int line, boolean piped) throws TemplateException {
            if (base instanceof Map<?, ?> m && m.containsKey(key)) {
                Object v = m.get(key);
                return v instanceof String s && s.contains(";") ? Arrays.asList(s.split(";")) : v;
            }
            if (piped) {
                return null; // `| default` decides
            }
            throw new MissingKey(file, line, "key ." + key + " is not set: add " + key + "=... to the Clusterfile's env (or use | default)");
        }

        private Object literal(String s, int line) throws TemplateException {
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\n", "\n");
            }
            if (s.matches("-?\\d+")) {
                return s;
            }
            throw new TemplateException(file, line, "expected a quoted string, got " + s);
        }
    }

    private static final class MissingKey extends TemplateException {
        MissingKey(String file, int line, String problem) {
            super(file, line, problem);
        }
    }

    private static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof String s) {
            return !s.isEmpty() && !s.equals("false");
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0; // as Go: {{ if $i }} is false for the first index
        }
        return true;
    }

    private static List<?> list(Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof String s) {
            return s.isEmpty() ? List.of() : Arrays.asList(s.split("[;,]"));
        }
        return List.of(v);
    }

    private static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof List<?> l) {
            return String.join(";", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }
}
