package io.slipway.gotemplate;

import java.util.List;
import java.util.function.Function;

/**
 * A template in Go's text/template language, as sealer's Clusterfile templates ({@code *.tmpl}) and kube-eventer's and
 * kubernetes-event-exporter's layouts are written: text and actions, {@code {{- }}} and {@code {{ -}}} trimming,
 * comments, pipelines, {@code if}/{@code else if}/{@code else}, {@code range} (lists, and maps in key order, with
 * {@code $i, $v :=} and {@code else}), {@code with}, variables ({@code $x := ...}, {@code $x = ...}, {@code $}),
 * parenthesised pipelines, and the functions {@link Functions#NAMES} (Go's {@code index len not and or eq ne} and
 * sprig's {@code default quote upper lower trunc toJson toPrettyJson}). No {@code define}/{@code template} and no
 * method calls: the data is maps, lists and scalars.
 * <p>
 * Values behave as Go's do on {@code map[string]any} data: a key that is not set is "no value", false in {@code if},
 * replaced by {@code default}, nothing to {@code range} over, and printed as {@code <no value>} (Go's default
 * {@code missingkey} behaviour). {@link Options#strictMissingKeys()} makes printing one an error naming the key, for
 * files where a silent {@code <no value>} would be a misconfiguration. A key set to null prints as nothing, as a
 * struct's empty field does. Truth is Go's: {@code false}, 0, {@code ""}, nil and empty lists and maps are false, the
 * string {@code "false"} is true.
 * <p>
 * Parsed once ({@link #parse}), so a mistake is reported with its line before anything is rendered; rendering is
 * thread-safe.
 */
public final class GoTemplate {
    private final String name;
    private final String source;
    private final List<Node> nodes;

    private GoTemplate(String name, String source, List<Node> nodes) {
        this.name = name;
        this.source = source;
        this.nodes = nodes;
    }

    /** How a caller's data prints and ranges where Go's own rules do not fit it. */
    public record Options(boolean strictMissingKeys, Function<Object, String> printer, Function<Object, List<?>> rangeOver) {
        /** Go's behaviour: maps print as {@code map[k:v]}, lists as {@code [a b]}; only lists and maps can be ranged over. */
        public static final Options GO = new Options(false, Values::goString, null);

        /** The same, with printing a key that is not set an error naming it. */
        public Options strict() {
            return new Options(true, printer, rangeOver);
        }

        /** The same, printing maps and lists (not scalars) with {@code printer}. */
        public Options printing(Function<Object, String> printer) {
            return new Options(strictMissingKeys, printer, rangeOver);
        }

        /** The same, ranging over a value that is neither list nor map as the list {@code rangeOver} makes of it. */
        public Options ranging(Function<Object, List<?>> rangeOver) {
            return new Options(strictMissingKeys, printer, rangeOver);
        }
    }

    /** Parses {@code source}; {@code name} (a file name, a field) is how errors name it. */
    public static GoTemplate parse(String name, String source) {
        return new GoTemplate(name, source, new Parser(name, Lexer.split(name, source)).parseAll());
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    /** Whether the template is plain text without any action. */
    public boolean isConstant() {
        return nodes.stream().allMatch(n -> n instanceof Node.Text);
    }

    /** Renders with Go's behaviour ({@link Options#GO}). */
    public String render(Object data) {
        return render(data, Options.GO);
    }

    public String render(Object data, Options options) {
        StringBuilder out = new StringBuilder();
        new Renderer(name, data, options).run(nodes, new Renderer.Scope(data, null), out);
        return out.toString();
    }

    /** A piece of a parsed template. */
    sealed interface Node permits Node.Text, Node.Print, Node.If, Node.Range, Node.With {
        record Text(String text) implements Node {
        }

        /** An action whose value is printed (nothing is printed for a declaration or an assignment). */
        record Print(Pipeline pipeline, int line) implements Node {
        }

        /** {@code if}, with each {@code else if} as a further branch; {@code otherwise} is the {@code else}. */
        record If(List<Pipeline> conditions, List<List<Node>> branches, List<Node> otherwise, int line) implements Node {
        }

        record Range(Pipeline pipeline, List<Node> body, List<Node> otherwise, int line) implements Node {
        }

        record With(Pipeline pipeline, List<Node> body, List<Node> otherwise, int line) implements Node {
        }
    }

    /** Commands joined by {@code |}; each one's value is the last argument of the next. */
    record Pipeline(List<String> variables, boolean declares, List<Command> commands, int line) {
    }

    /** A function and its arguments, or a single operand. */
    record Command(String function, List<Operand> args) {
    }

    sealed interface Operand permits Operand.Field, Operand.Variable, Operand.Literal, Operand.Sub {
        /** {@code .A.B} from dot; an empty path is dot itself. */
        record Field(List<String> path) implements Operand {
        }

        /** {@code $x.A.B}; {@code $} is the data the template was given. */
        record Variable(String name, List<String> path) implements Operand {
        }

        record Literal(Object value) implements Operand {
        }

        /** {@code ( pipeline )}, optionally followed by fields. */
        record Sub(Pipeline pipeline, List<String> path) implements Operand {
        }
    }
}
