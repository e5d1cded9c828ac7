package io.slipway.cloudimage.kubefile;

import java.util.List;
import java.util.function.Function;

/**
 * One argument of an instruction as written: literal text and {@code $VAR} / {@code ${VAR...}} references, quotes and
 * escapes already resolved. Expanding it never splits it into several words, so an instruction has as many arguments
 * after substitution as before (what the parser validates is what the builder gets).
 */
public final class Word {

    /** A piece of a word. */
    sealed interface Part permits Literal, Reference {
    }

    record Literal(String text) implements Part {
    }

    /**
     * {@code ${name}} or {@code ${name<op>operand}} with op one of {@code :- - :+ + :? ?} (the shell's meanings).
     */
    record Reference(String name, String op, Word operand) implements Part {
    }

    private final List<Part> parts;
    private final String source;

    Word(List<Part> parts, String source) {
        this.parts = List.copyOf(parts);
        this.source = source;
    }

    public static Word literal(String text) {
        return new Word(List.of(new Literal(text)), text);
    }

    /** True when the word has no variable reference. */
    public boolean isLiteral() {
        return parts.stream().allMatch(p -> p instanceof Literal);
    }

    /** The text of a word without references; {@link #source()} for one with references. */
    public String text() {
        if (!isLiteral()) {
            return source;
        }
        StringBuilder sb = new StringBuilder();
        parts.forEach(p -> sb.append(((Literal) p).text()));
        return sb.toString();
    }

    /** The word as it appears in the Kubefile. */
    public String source() {
        return source;
    }

    /**
     * Replaces references by the values {@code lookup} gives (null: unset; unset variables expand to nothing, as in
     * Docker). {@code ${X:?message}} of an unset X fails with {@link UnsetVariableException}.
     */
    public String expand(Function<String, String> lookup) {
        StringBuilder sb = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Literal literal) {
                sb.append(literal.text());
            } else {
                sb.append(expand((Reference) part, lookup));
            }
        }
        return sb.toString();
    }

    private static String expand(Reference ref, Function<String, String> lookup) {
        String value = lookup.apply(ref.name());
        boolean set = value != null;
        boolean nonEmpty = set && !value.isEmpty();
        return switch (ref.op()) {
            case "" -> set ? value : "";
            case ":-" -> nonEmpty ? value : ref.operand().expand(lookup);
            case "-" -> set ? value : ref.operand().expand(lookup);
            case ":+" -> nonEmpty ? ref.operand().expand(lookup) : "";
            case "+" -> set ? ref.operand().expand(lookup) : "";
            case ":?", "?" -> {
                if (ref.op().equals(":?") ? nonEmpty : set) {
                    yield value;
                }
                String message = ref.operand().expand(lookup);
                throw new UnsetVariableException(ref.name() + ": " + (message.isEmpty() ? "is not set" : message));
            }
            default -> throw new IllegalStateException("unknown substitution operator " + ref.op());
        };
    }

    @Override
    public String toString() {
        return source;
    }

    /** A {@code ${VAR:?message}} whose variable is unset. */
    static final class UnsetVariableException extends RuntimeException {
        UnsetVariableException(String message) {
            super(message);
        }
    }
}
