package io.slipway.cloudimage.kubefile;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits instruction text into {@link Word}s the way Docker's shell lexer does: whitespace separates words, single
 * quotes keep text literal, double quotes group and still allow references, a backslash escapes the next character.
 */
final class WordLexer {

    private final String text;
    private final boolean references;
    private int pos;

    private WordLexer(String text, boolean references) {
        this.text = text;
        this.references = references;
    }

    /** Shell-like words; with {@code references} false a {@code $} is an ordinary character. */
    static List<Word> words(String text, boolean references) {
        return new WordLexer(text, references).words();
    }

    /** One word from text that is not split or unquoted (a JSON array element): only references and {@code \$}. */
    static Word single(String text, boolean references) {
        if (!references) {
            return Word.literal(text);
        }
        WordLexer lexer = new WordLexer(text, true);
        List<Word.Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        while (lexer.pos < text.length()) {
            char c = text.charAt(lexer.pos);
            if (c == '\\' && lexer.pos + 1 < text.length() && text.charAt(lexer.pos + 1) == '$') {
                literal.append('$');
                lexer.pos += 2;
            } else if (c == '$') {
                lexer.reference(parts, literal);
            } else {
                literal.append(c);
                lexer.pos++;
            }
        }
        flush(parts, literal);
        return new Word(parts, text);
    }

    private List<Word> words() {
        List<Word> words = new ArrayList<>();
        while (true) {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            if (pos >= text.length()) {
                return words;
            }
            words.add(word());
        }
    }

    private Word word() {
        int start = pos;
        List<Word.Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c)) {
                break;
            } else if (c == '\'') {
                int end = text.indexOf('\'', pos + 1);
                if (end < 0) {
                    throw new LexException("unterminated single quote in " + text.substring(start).strip());
                }
                literal.append(text, pos + 1, end);
                pos = end + 1;
            } else if (c == '"') {
                doubleQuoted(parts, literal, start);
            } else if (c == '\\') {
                if (pos + 1 < text.length()) {
                    literal.append(text.charAt(pos + 1));
                    pos += 2;
                } else {
                    literal.append(c);
                    pos++;
                }
            } else if (c == '$' && references) {
                reference(parts, literal);
            } else {
                literal.append(c);
                pos++;
            }
        }
        flush(parts, literal);
        return new Word(parts, text.substring(start, pos));
    }

    private void doubleQuoted(List<Word.Part> parts, StringBuilder literal, int wordStart) {
        pos++;
        while (true) {
            if (pos >= text.length()) {
                throw new LexException("unterminated double quote in " + text.substring(wordStart).strip());
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return;
            }
            if (c == '\\' && pos + 1 < text.length() && "\"\\$".indexOf(text.charAt(pos + 1)) >= 0) {
                literal.append(text.charAt(pos + 1));
                pos += 2;
            } else if (c == '$' && references) {
                reference(parts, literal);
            } else {
                literal.append(c);
                pos++;
            }
        }
    }

    /** At a {@code $}: a reference, or a plain dollar when no name follows. */
    private void reference(List<Word.Part> parts, StringBuilder literal) {
        int start = pos;
        pos++;
        if (pos < text.length() && text.charAt(pos) == '{') {
            pos++;
            String name = name();
            if (name.isEmpty()) {
                throw new LexException("bad substitution " + excerpt(start) + ": expected a variable name after ${");
            }
            if (pos >= text.length() || text.indexOf('}', pos) < 0) {
                throw new LexException("unterminated " + excerpt(start) + ": missing }");
            }
            char c = text.charAt(pos);
            String op;
            if (c == '}') {
                pos++;
                flush(parts, literal);
                parts.add(new Word.Reference(name, "", null));
                return;
            } else if (c == ':' && pos + 1 < text.length() && "-+?".indexOf(text.charAt(pos + 1)) >= 0) {
                op = text.substring(pos, pos + 2);
                pos += 2;
            } else if ("-+?".indexOf(c) >= 0) {
                op = String.valueOf(c);
                pos++;
            } else {
                throw new LexException("unsupported substitution " + excerpt(start)
                        + ": only ${VAR}, ${VAR:-default}, ${VAR:+alternative} and ${VAR:?message} are known");
            }
            Word operand = operand(start);
            flush(parts, literal);
            parts.add(new Word.Reference(name, op, operand));
        } else {
            String name = name();
            if (name.isEmpty()) {
                literal.append('$');
            } else {
                flush(parts, literal);
                parts.add(new Word.Reference(name, "", null));
            }
        }
    }

    /** The text up to the {@code }} closing a reference, itself possibly holding references. */
    private Word operand(int referenceStart) {
        int start = pos;
        List<Word.Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new LexException("unterminated " + excerpt(referenceStart) + ": missing }");
            }
            char c = text.charAt(pos);
            if (c == '}') {
                String source = text.substring(start, pos);
                pos++;
                flush(parts, literal);
                return new Word(parts, source);
            }
            if (c == '\\' && pos + 1 < text.length()) {
                literal.append(text.charAt(pos + 1));
                pos += 2;
            } else if (c == '$') {
                reference(parts, literal);
            } else {
                literal.append(c);
                pos++;
            }
        }
    }

    private String name() {
        int start = pos;
        if (pos < text.length() && (Character.isLetter(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
        }
        return text.substring(start, pos);
    }

    private String excerpt(int start) {
        int end = text.indexOf('}', start);
        return end < 0 ? text.substring(start).strip() : text.substring(start, end + 1);
    }

    private static void flush(List<Word.Part> parts, StringBuilder literal) {
        if (!literal.isEmpty()) {
            parts.add(new Word.Literal(literal.toString()));
            literal.setLength(0);
        }
    }

    /** Malformed quoting or substitution; the parser adds file and line. */
    static final class LexException extends RuntimeException {
        LexException(String message) {
            super(message);
        }
    }
}
