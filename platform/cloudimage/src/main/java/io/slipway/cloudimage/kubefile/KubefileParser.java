package io.slipway.cloudimage.kubefile;

import io.slipway.oci.Json;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns one logical line into an {@link Instruction}, checking what can be checked of that line alone. */
final class KubefileParser {

    static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> DOCKERFILE_ONLY = Set.of("WORKDIR", "EXPOSE", "USER", "VOLUME", "ENTRYPOINT",
            "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL");

    private final String file;

    KubefileParser(String file) {
        this.file = file;
    }

    Instruction parse(LogicalLines.Logical logical) {
        String text = logical.text();
        int space = indexOfWhitespace(text);
        String word = space < 0 ? text : text.substring(0, space);
        String rest = space < 0 ? "" : text.substring(space).strip();
        Keyword keyword = Keyword.of(word).orElseThrow(() -> unknown(logical.line(), word));
        try {
            return parse(logical, keyword, rest);
        } catch (WordLexer.LexException e) {
            throw new KubefileException(file, logical.line(), keyword + ": " + e.getMessage());
        }
    }

    private Instruction parse(LogicalLines.Logical logical, Keyword keyword, String rest) {
        Builder b = new Builder(logical, keyword);
        if (rest.isEmpty()) {
            throw b.fail(keyword + " needs arguments" + usage(keyword));
        }
        switch (keyword) {
            case FROM -> from(b, rest);
            case COPY, ADD -> copyOrAdd(b, rest);
            case ARG -> arg(b, rest);
            case ENV -> env(b, rest);
            case LABEL -> keyValues(b, rest);
            case MAINTAINER, CMD -> b.args.add(Word.literal(rest));
            case RUN -> run(b, rest);
            case APP, CNI, CSI -> app(b, rest);
            case APPCMDS -> appCmds(b, rest);
            case APPENV -> appEnv(b, rest);
            case KUBEVERSION -> kubeVersion(b, rest);
            case LAUNCH -> launch(b, rest);
            case CMDS -> cmds(b, rest);
        }
        return b.build();
    }

    private void from(Builder b, String rest) {
        List<Word> words = b.flags(WordLexer.words(rest, true), Set.of("platform"));
        if (words.size() != 1) {
            throw b.fail("FROM takes one image (scratch or a CloudImage name), found " + words.size() + " words"
                    + usage(Keyword.FROM));
        }
        Word image = words.get(0);
        if (image.isLiteral() && !image.text().equals("scratch")) {
            try {
                Reference.parse(image.text());
            } catch (IllegalArgumentException e) {
                throw b.fail("FROM " + e.getMessage());
            }
        }
        Word platform = b.flags.get("platform");
        if (platform != null && platform.isLiteral()) {
            try {
                Platform.parse(platform.text());
            } catch (IllegalArgumentException e) {
                throw b.fail("FROM --platform: " + e.getMessage());
            }
        }
        b.args.addAll(words);
    }

    private void copyOrAdd(Builder b, String rest) {
        Keyword k = b.keyword;
        List<Word> words;
        Optional<List<String>> json = jsonArray(rest);
        if (json.isPresent()) {
            words = json.get().stream().map(s -> WordLexer.single(s, true)).toList();
            b.json = true;
        } else {
            words = b.flags(WordLexer.words(rest, true), Set.of());
        }
        if (words.size() < 2) {
            throw b.fail(k + " needs at least one source and a destination" + usage(k));
        }
        for (Word source : words.subList(0, words.size() - 1)) {
            String s = source.source();
            boolean url = s.startsWith("http://") || s.startsWith("https://");
            if (k == Keyword.COPY && url) {
                throw b.fail("COPY cannot fetch " + s + "; use ADD for http(s) sources");
            }
            if (!url && s.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
                throw b.fail(k + " source " + s + " has an unsupported scheme; sources are paths in the build context"
                        + (k == Keyword.ADD ? " or http(s) URLs" : ""));
            }
        }
        b.args.addAll(words);
    }

    private void arg(Builder b, String rest) {
        List<Word> words = WordLexer.words(rest, true);
        if (words.size() != 1) {
            throw b.fail("ARG declares one variable: ARG NAME or ARG NAME=default");
        }
        String source = words.get(0).source();
        int eq = source.indexOf('=');
        String name = eq < 0 ? source : source.substring(0, eq);
        if (!VARIABLE_NAME.matcher(name).matches()) {
            throw b.fail("ARG name '" + name + "' is not a valid variable name (letters, digits, _; not starting with a digit)");
        }
        b.args.addAll(words);
    }

    private void env(Builder b, String rest) {
        List<Word> words = WordLexer.words(rest, true);
        if (!words.get(0).source().contains("=")) {
            if (words.size() < 2) {
                throw b.fail("ENV " + words.get(0).source() + " has no value: write ENV KEY=value");
            }
            checkKey(b, words.get(0).source());
            b.args.addAll(words);
            return;
        }
        keyValues(b, rest);
    }

    private void keyValues(Builder b, String rest) {
        List<Word> words = WordLexer.words(rest, true);
        for (Word w : words) {
            int eq = w.source().indexOf('=');
            if (eq < 0) {
                throw b.fail(b.keyword + " expects KEY=value pairs, found '" + w.source() + "'");
            }
            checkKey(b, w.source().substring(0, eq));
        }
        b.args.addAll(words);
    }

    private static void checkKey(Builder b, String key) {
        String unquoted = key.replace("\"", "").replace("'", "");
        if (unquoted.isBlank()) {
            throw b.fail(b.keyword + " has an empty key");
        }
    }

    private void run(Builder b, String rest) {
        // RUN --network=host: the one flag, before the command (RUN has no network of its own otherwise)
        if (rest.startsWith("--")) {
            int end = rest.indexOf(' ');
            String flag = end < 0 ? rest : rest.substring(0, end);
            if (!flag.startsWith("--network=")) {
                throw b.fail("RUN does not support " + flag.split("=", 2)[0] + " (supported: --network=none|host)");
            }
            String value = flag.substring("--network=".length());
            if (!value.equals("none") && !value.equals("host")) {
                throw b.fail("RUN --network=" + value + " is not none or host");
            }
            b.flags.put("network", Word.literal(value));
            rest = end < 0 ? "" : rest.substring(end + 1).strip();
            if (rest.isEmpty()) {
                throw b.fail("RUN --network=" + value + " has no command");
            }
        }
        Optional<List<String>> json = jsonArray(rest);
        if (json.isPresent()) {
            if (json.get().isEmpty()) {
                throw b.fail("RUN [] has no command");
            }
            json.get().forEach(s -> b.args.add(Word.literal(s)));
            b.json = true;
        } else {
            b.args.add(Word.literal(rest));
        }
    }

    private void app(Builder b, String rest) {
        Keyword k = b.keyword;
        List<Word> words = WordLexer.words(rest, true);
        if (words.size() < 2) {
            throw b.fail(k + " needs a name and at least one source" + usage(k));
        }
        checkAppName(b, words.get(0));
        for (Word source : words.subList(1, words.size())) {
            String s = source.source();
            if (s.startsWith("local://")) {
                if (s.length() == "local://".length()) {
                    throw b.fail(k + " source local:// names no path");
                }
            } else if (!s.startsWith("http://") && !s.startsWith("https://")) {
                throw b.fail(k + " source " + s + " must start with local://, http:// or https://");
            }
        }
        b.args.addAll(words);
    }

    private void appCmds(Builder b, String rest) {
        int space = indexOfWhitespace(rest);
        String name = space < 0 ? rest : rest.substring(0, space);
        String commands = space < 0 ? "" : rest.substring(space).strip();
        checkAppName(b, Word.literal(name));
        List<String> list = jsonArray(commands).orElseThrow(() -> b.fail(
                "APPCMDS " + name + " needs a JSON array of commands, e.g. APPCMDS " + name + " [\"kubectl apply -f app.yaml\"]"));
        if (list.isEmpty()) {
            throw b.fail("APPCMDS " + name + " has an empty command list");
        }
        b.args.add(Word.literal(name));
        list.forEach(s -> b.args.add(Word.literal(s)));
        b.json = true;
    }

    private void appEnv(Builder b, String rest) {
        List<Word> words = WordLexer.words(rest, true);
        if (words.size() < 2) {
            throw b.fail("APPENV needs an application name and KEY=value pairs" + usage(Keyword.APPENV));
        }
        checkAppName(b, words.get(0));
        for (Word w : words.subList(1, words.size())) {
            int eq = w.source().indexOf('=');
            if (eq < 0) {
                throw b.fail("APPENV expects KEY=value pairs after the application name, found '" + w.source() + "'");
            }
            checkKey(b, w.source().substring(0, eq));
        }
        b.args.addAll(words);
    }

    private void kubeVersion(Builder b, String rest) {
        List<Word> words = WordLexer.words(rest, true);
        if (words.size() != 1) {
            throw b.fail("KUBEVERSION takes one version, e.g. KUBEVERSION v1.22.15 (quote a constraint with spaces)");
        }
        b.args.addAll(words);
    }

    private void launch(Builder b, String rest) {
        Optional<List<String>> json = jsonArray(rest);
        List<Word> names;
        if (json.isPresent()) {
            names = json.get().stream().map(s -> WordLexer.single(s, true)).toList();
            b.json = true;
        } else if (rest.startsWith("[")) {
            throw b.fail("LAUNCH [" + "...] is not a JSON array of strings: write LAUNCH [\"app1\", \"app2\"] or LAUNCH app1 app2");
        } else {
            names = WordLexer.words(rest, true);
        }
        if (names.isEmpty()) {
            throw b.fail("LAUNCH names no application");
        }
        for (Word name : names) {
            checkAppName(b, name);
        }
        b.args.addAll(names);
    }

    private void cmds(Builder b, String rest) {
        List<String> list = jsonArray(rest).orElseThrow(() -> b.fail(
                "CMDS needs a JSON array of commands, e.g. CMDS [\"kubectl apply -f manifests/app.yaml\"]"));
        if (list.isEmpty()) {
            throw b.fail("CMDS has an empty command list");
        }
        list.forEach(s -> b.args.add(Word.literal(s)));
        b.json = true;
    }

    private static void checkAppName(Builder b, Word name) {
        if (name.isLiteral() && !APP_NAME.matcher(name.text()).matches()) {
            throw b.fail("'" + name.text() + "' is not a valid application name (letters, digits, '.', '_', '-'; "
                    + "starting with a letter or digit)");
        }
    }

    /** The strings of a JSON array of strings; empty if the text is not one. */
    static Optional<List<String>> jsonArray(String text) {
        if (!text.startsWith("[")) {
            return Optional.empty();
        }
        try (JsonParser p = Json.mapper().getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return Optional.empty();
            }
            List<String> values = new ArrayList<>();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    return Optional.empty();
                }
                values.add(p.getText());
            }
            return p.nextToken() == null ? Optional.of(values) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private KubefileException unknown(int line, String word) {
        String upper = word.toUpperCase(Locale.ROOT);
        String detail = DOCKERFILE_ONLY.contains(upper)
                ? upper + " is a Dockerfile instruction that a Kubefile does not have"
                : "unknown instruction '" + word + "'";
        return new KubefileException(file, line, detail + " (known: FROM, ARG, ENV, LABEL, MAINTAINER, COPY, ADD, RUN, "
                + "APP, APPCMDS, APPENV, CNI, CSI, KUBEVERSION, LAUNCH, CMDS)");
    }

    private static String usage(Keyword k) {
        return switch (k) {
            case FROM -> ": FROM [--platform=os/arch] scratch|IMAGE";
            case COPY -> ": COPY SRC... DEST";
            case ADD -> ": ADD SRC|URL... DEST";
            case APP, CNI, CSI -> ": " + k + " NAME local://PATH|https://URL...";
            case APPENV -> ": APPENV NAME KEY=value...";
            case APPCMDS -> ": APPCMDS NAME [\"command\", ...]";
            case LAUNCH -> ": LAUNCH APP... or LAUNCH [\"APP\", ...]";
            case CMDS -> ": CMDS [\"command\", ...]";
            case ARG -> ": ARG NAME[=default]";
            case ENV, LABEL -> ": " + k + " KEY=value...";
            default -> "";
        };
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Collects the parts of one instruction while its line is checked. */
    private final class Builder {
        final LogicalLines.Logical logical;
        final Keyword keyword;
        final Map<String, Word> flags = new LinkedHashMap<>();
        final List<Word> args = new ArrayList<>();
        boolean json;

        Builder(LogicalLines.Logical logical, Keyword keyword) {
            this.logical = logical;
            this.keyword = keyword;
        }

        /** Takes leading {@code --name=value} words as flags; any flag not in {@code allowed} is an error. */
        List<Word> flags(List<Word> words, Set<String> allowed) {
            int i = 0;
            for (; i < words.size() && words.get(i).source().startsWith("--"); i++) {
                String source = words.get(i).source();
                int eq = source.indexOf('=');
                String name = source.substring(2, eq < 0 ? source.length() : eq);
                if (!allowed.contains(name)) {
                    throw fail(keyword + " does not support --" + name
                            + (allowed.isEmpty() ? "" : " (supported: --" + String.join(", --", allowed) + ")")
                            + ("from".equals(name) ? "; multi-stage builds are not supported" : ""));
                }
                List<Word> value = eq < 0 ? List.of() : WordLexer.words(source.substring(eq + 1), true);
                if (value.size() != 1) {
                    throw fail(keyword + " --" + name + " needs a value: --" + name + "=VALUE");
                }
                flags.put(name, value.get(0));
            }
            return words.subList(i, words.size());
        }

        KubefileException fail(String detail) {
            return new KubefileException(file, logical.line(), detail);
        }

        Instruction build() {
            return new Instruction(file, logical.line(), keyword, logical.raw(), flags, args, json);
        }
    }
}
