package io.slipway.gotemplate;

import io.slipway.gotemplate.GoTemplate.Command;
import io.slipway.gotemplate.GoTemplate.Node;
import io.slipway.gotemplate.GoTemplate.Operand;
import io.slipway.gotemplate.GoTemplate.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds the nodes of a template from its pieces; every mistake is a {@link TemplateError} with its line. */
final class Parser {
    private final String name;
    private final List<Lexer.Piece> pieces;
    private int pos;
    /** The keyword that ended the last {@link #block}: "end", "else", or "else if ..." (the whole action). */
    private String stoppedBy;
    private int stoppedAt;

    Parser(String name, List<Lexer.Piece> pieces) {
        this.name = name;
        this.pieces = pieces;
    }

    List<Node> parseAll() {
        List<Node> nodes = block(Set.of(), 0, null);
        return List.copyOf(nodes);
    }

    /** Nodes until one of {@code stops} ("end", "else"); {@code opener} names the block for a missing end. */
    private List<Node> block(Set<String> stops, int openedAt, String opener) {
        List<Node> nodes = new ArrayList<>();
        while (pos < pieces.size()) {
            Lexer.Piece p = pieces.get(pos++);
            if (!p.action()) {
                nodes.add(new Node.Text(p.text()));
                continue;
            }
            String a = p.text();
            if (a.startsWith("/*")) {
                if (!a.endsWith("*/")) {
                    throw new TemplateError(name, p.line(), "a comment must be the whole action: {{/* ... */}}");
                }
                continue;
            }
            if (a.isEmpty()) {
                throw new TemplateError(name, p.line(), "empty action {{ }}");
            }
            String word = a.split("\\s+", 2)[0];
            switch (word) {
                case "end", "else" -> {
                    if (!stops.contains(word)) {
                        throw new TemplateError(name, p.line(), "'" + word + "' without 'if', 'range' or 'with'");
                    }
                    stoppedBy = a;
                    stoppedAt = p.line();
                    return nodes;
                }
                case "if" -> nodes.add(ifNode(rest(a, "if", p.line()), p.line()));
                case "range" -> nodes.add(rangeNode(rest(a, "range", p.line()), p.line()));
                case "with" -> nodes.add(withNode(rest(a, "with", p.line()), p.line()));
                case "define", "template", "block", "break", "continue" ->
                        throw new TemplateError(name, p.line(), "'" + word + "' is not supported here");
                default -> nodes.add(new Node.Print(pipeline(a, p.line(), false), p.line()));
            }
        }
        if (opener != null) {
            throw new TemplateError(name, openedAt, "missing {{ end }} for the '" + opener + "' on this line");
        }
        return nodes;
    }

    private String rest(String action, String keyword, int line) {
        String r = action.substring(keyword.length()).strip();
        if (r.isEmpty()) {
            throw new TemplateError(name, line, "'" + keyword + "' needs a pipeline");
        }
        return r;
    }

    private Node ifNode(String condition, int line) {
        List<Pipeline> conditions = new ArrayList<>();
        List<List<Node>> branches = new ArrayList<>();
        conditions.add(pipeline(condition, line, false));
        List<Node> otherwise = List.of();
        while (true) {
            branches.add(List.copyOf(block(Set.of("else", "end"), line, "if")));
            if (stoppedBy.equals("end")) {
                break;
            }
            String elseAction = stoppedBy.substring(4).strip();
            if (elseAction.startsWith("if ") || elseAction.equals("if")) {
                conditions.add(pipeline(rest(elseAction, "if", stoppedAt), stoppedAt, false));
                continue;
            }
            if (!elseAction.isEmpty()) {
                throw new TemplateError(name, stoppedAt, "'else' takes nothing or 'if ...', not '" + elseAction + "'");
            }
            otherwise = List.copyOf(block(Set.of("end"), line, "if"));
            break;
        }
        return new Node.If(List.copyOf(conditions), List.copyOf(branches), otherwise, line);
    }

    private Node rangeNode(String spec, int line) {
        Pipeline p = pipeline(spec, line, true);
        List<List<Node>> parts = bodyAndElse(line, "range");
        return new Node.Range(p, parts.get(0), parts.get(1), line);
    }

    private Node withNode(String spec, int line) {
        Pipeline p = pipeline(spec, line, false);
        List<List<Node>> parts = bodyAndElse(line, "with");
        return new Node.With(p, parts.get(0), parts.get(1), line);
    }

    /** A range's or with's body, and its plain {@code else} part (empty without one), up to its end. */
    private List<List<Node>> bodyAndElse(int line, String opener) {
        List<Node> body = List.copyOf(block(Set.of("else", "end"), line, opener));
        if (stoppedBy.equals("end")) {
            return List.of(body, List.of());
        }
        if (!stoppedBy.strip().equals("else")) {
            throw new TemplateError(name, stoppedAt, "'" + opener + "' takes a plain 'else', not '" + stoppedBy + "'");
        }
        return List.of(body, List.copyOf(block(Set.of("end"), line, opener)));
    }

    /**
     * A pipeline, with its declaration ({@code $x :=}, {@code $x =}, and in a range {@code $i, $v :=}) when it has one.
     */
    private Pipeline pipeline(String text, int line, boolean inRange) {
        Tokens tokens = new Tokens(name, text, line);
        Pipeline p = pipeline(tokens, line, inRange);
        if (tokens.hasMore()) {
            throw new TemplateError(name, line, "unexpected '" + tokens.next().text() + "' in {{ " + text + " }}");
        }
        return p;
    }

    /** A pipeline from {@code tokens}, up to their end or a ')' (left for the caller). */
    private Pipeline pipeline(Tokens tokens, int line, boolean inRange) {
        List<String> variables = new ArrayList<>();
        boolean declares = false;
        int mark = tokens.index;
        if (tokens.peekKind() == Tokens.Kind.VARIABLE) {
            List<String> seen = new ArrayList<>();
            seen.add(tokens.next().text());
            if (inRange && tokens.peekIs(",")) {
                tokens.next();
                if (tokens.peekKind() != Tokens.Kind.VARIABLE) {
                    throw new TemplateError(name, line, "a range declares '$index, $value :='");
                }
                seen.add(tokens.next().text());
            }
            if (tokens.peekIs(":=") || tokens.peekIs("=")) {
                declares = tokens.next().text().equals(":=");
                if (seen.size() == 2 && !declares) {
                    throw new TemplateError(name, line, "a range declares its variables with ':='");
                }
                for (String v : seen) {
                    if (v.equals("$") || v.contains(".")) {
                        throw new TemplateError(name, line, "cannot assign to " + v);
                    }
                }
                variables = seen;
            } else {
                tokens.index = mark;
            }
        }
        List<Command> commands = new ArrayList<>();
        commands.add(command(tokens, line, false));
        while (tokens.peekIs("|")) {
            tokens.next();
            commands.add(command(tokens, line, true));
        }
        return new Pipeline(List.copyOf(variables), declares, List.copyOf(commands), line);
    }

    private Command command(Tokens tokens, int line, boolean piped) {
        if (!tokens.hasMore() || tokens.peekIs("|") || tokens.peekIs(")")) {
            throw new TemplateError(name, line, "missing command" + (piped ? " after '|'" : ""));
        }
        if (tokens.peekKind() == Tokens.Kind.IDENTIFIER && !Tokens.isConstant(tokens.peekText())) {
            String function = tokens.next().text();
            if (!Functions.NAMES.contains(function)) {
                throw new TemplateError(name, line, "unknown function '" + function + "' (known: " + String.join(", ", Functions.NAMES) + ")");
            }
            List<Operand> args = new ArrayList<>();
            while (tokens.hasMore() && !tokens.peekIs("|") && !tokens.peekIs(")")) {
                args.add(operand(tokens, line));
            }
            Functions.checkArity(name, line, function, args.size() + (piped ? 1 : 0));
            return new Command(function, List.copyOf(args));
        }
        Operand only = operand(tokens, line);
        if (piped) {
            throw new TemplateError(name, line, "only a function can follow '|'");
        }
        if (tokens.hasMore() && !tokens.peekIs("|") && !tokens.peekIs(")")) {
            throw new TemplateError(name, line, "'" + tokens.peekText() + "' follows a value that is not a function; use a function "
                    + "(index, default, ...) or '|'");
        }
        return new Command(null, List.of(only));
    }

    private Operand operand(Tokens tokens, int line) {
        Tokens.Token t = tokens.next();
        return switch (t.kind()) {
            case FIELD -> new Operand.Field(path(t.text().equals(".") ? "" : t.text().substring(1), t.text(), line));
            case VARIABLE -> {
                int dot = t.text().indexOf('.');
                yield dot < 0 ? new Operand.Variable(t.text(), List.of())
                        : new Operand.Variable(t.text().substring(0, dot), path(t.text().substring(dot + 1), t.text(), line));
            }
            case STRING, NUMBER -> new Operand.Literal(t.value());
            case IDENTIFIER -> {
                if (!Tokens.isConstant(t.text())) {
                    throw new TemplateError(name, line, "function '" + t.text() + "' used as an argument: wrap it in parentheses");
                }
                yield new Operand.Literal(t.value());
            }
            case OPEN -> {
                Pipeline sub = pipeline(tokens, line, false);
                if (!tokens.peekIs(")")) {
                    throw new TemplateError(name, line, "unclosed '('");
                }
                tokens.next();
                List<String> after = List.of();
                if (tokens.peekKind() == Tokens.Kind.FIELD && tokens.peekAdjacent()) {
                    after = path(tokens.next().text().substring(1), "(...)", line);
                }
                yield new Operand.Sub(sub, after);
            }
            default -> throw new TemplateError(name, line, "unexpected '" + t.text() + "'");
        };
    }

    private List<String> path(String dotted, String token, int line) {
        if (dotted.isEmpty()) {
            return List.of();
        }
        List<String> parts = List.of(dotted.split("\\.", -1));
        for (String p : parts) {
            if (!p.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new TemplateError(name, line, "'" + token + "' is not a field reference (use index for keys with dots, dashes or "
                        + "slashes: index . \"app.kubernetes.io/name\")");
            }
        }
        return parts;
    }
}
