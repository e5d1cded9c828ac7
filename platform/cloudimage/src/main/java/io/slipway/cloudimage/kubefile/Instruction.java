package io.slipway.cloudimage.kubefile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One instruction of a Kubefile, as parsed: where it is, its flags ({@code --platform=...}) and arguments before
 * substitution. Commands (RUN, CMD shell form) are one argument holding the command text; JSON-array forms give one
 * argument per element ({@link #jsonForm()}); APPCMDS has the application name then the command list.
 *
 * @param file    the Kubefile's name as given to the parser, for messages
 * @param line    1-based line where the instruction starts
 * @param raw     the instruction's text as written, continuation lines included
 */
public record Instruction(String file, int line, Keyword keyword, String raw, Map<String, Word> flags,
                          List<Word> args, boolean jsonForm) {

    public Instruction {
        flags = Map.copyOf(flags);
        args = List.copyOf(args);
    }

    /** The arguments with variables replaced through {@code lookup} (null for an unset variable). */
    public List<String> expandArgs(Function<String, String> lookup) {
        List<String> expanded = new ArrayList<>(args.size());
        for (Word word : args) {
            expanded.add(expand(word, lookup));
        }
        return expanded;
    }

    /**
     * The KEY=value pairs of ENV, LABEL or APPENV (after its application name), substituted; ENV's legacy form
     * {@code ENV KEY value words} gives one pair.
     */
    public Map<String, String> expandAssignments(Function<String, String> lookup) {
        List<String> values = expandArgs(lookup);
        Map<String, String> pairs = new LinkedHashMap<>();
        if (keyword == Keyword.ENV && !args.get(0).source().contains("=")) {
            pairs.put(values.get(0), String.join(" ", values.subList(1, values.size())));
            return pairs;
        }
        for (String value : values.subList(keyword == Keyword.APPENV ? 1 : 0, values.size())) {
            int eq = value.indexOf('=');
            if (eq <= 0) {
                throw error(keyword + " expects KEY=value, '" + value + "' has no key after substitution");
            }
            pairs.put(value.substring(0, eq), value.substring(eq + 1));
        }
        return pairs;
    }

    public Optional<String> expandFlag(String name, Function<String, String> lookup) {
        Word word = flags.get(name);
        return word == null ? Optional.empty() : Optional.of(expand(word, lookup));
    }

    private String expand(Word word, Function<String, String> lookup) {
        try {
            return keyword.substitutes() ? word.expand(lookup) : word.text();
        } catch (Word.UnsetVariableException e) {
            throw error(e.getMessage());
        }
    }

    /** The instruction on one line as the user wrote it (continuations joined), for logs and image history. */
    public String text() {
        StringBuilder sb = new StringBuilder(keyword.name());
        flags.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(f -> sb.append(" --").append(f.getKey()).append('=').append(f.getValue().source()));
        if (jsonForm && keyword == Keyword.APPCMDS) {
            sb.append(' ').append(args.get(0).source()).append(' ').append(jsonArray(args.subList(1, args.size())));
        } else if (jsonForm) {
            sb.append(' ').append(jsonArray(args));
        } else {
            args.forEach(a -> sb.append(' ').append(a.source()));
        }
        return sb.toString();
    }

    /** A failure of this instruction, located at its line. */
    public KubefileException error(String detail) {
        return new KubefileException(file, line, detail);
    }

    public KubefileException error(String detail, Throwable cause) {
        return new KubefileException(file, line, detail, cause);
    }

    private static String jsonArray(List<Word> words) {
        return words.stream().map(w -> '"' + w.source().replace("\\", "\\\\").replace("\"", "\\\"") + '"')
                .collect(Collectors.joining(", ", "[", "]"));
    }

    @Override
    public String toString() {
        return file + ":" + line + ": " + text();
    }
}
