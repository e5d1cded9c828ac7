package io.slipway.gotemplate;

import java.util.ArrayList;
import java.util.List;

/** The words of one action: fields, variables, identifiers, literals, and the signs {@code | ( ) , := =}. */
final class Tokens {
    enum Kind { FIELD, VARIABLE, IDENTIFIER, STRING, NUMBER, OPEN, CLOSE, SIGN }

    /** A word; {@code value} for literals; {@code adjacent} when no space separates it from the word before. */
    record Token(Kind kind, String text, Object value, boolean adjacent) {
    }

    private final List<Token> tokens = new ArrayList<>();
    int index;

    Tokens(String name, String s, int line) {
        int i = 0;
        boolean spaced = true;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                spaced = true;
                continue;
            }
            boolean adjacent = !spaced;
            spaced = false;
            if (c == '"' || c == '`') {
                int j = i + 1;
                StringBuilder value = new StringBuilder();
                while (j < s.length() && s.charAt(j) != c) {
                    char d = s.charAt(j);
                    if (c == '"' && d == '\\' && j + 1 < s.length()) {
                        char e = s.charAt(++j);
                        switch (e) {
                            case 'n' -> value.append('\n');
                            case 't' -> value.append('\t');
                            case 'r' -> value.append('\r');
                            case '\\', '"' -> value.append(e);
                            case 'u' -> {
                                if (j + 4 >= s.length()) {
                                    throw new TemplateError(name, line, "bad \\u escape in a string");
                                }
                                value.append((char) Integer.parseInt(s.substring(j + 1, j + 5), 16));
                                j += 4;
                            }
                            default -> throw new TemplateError(name, line, "unknown escape \\" + e + " in a string");
                        }
                    } else {
                        value.append(d);
                    }
                    j++;
                }
                if (j >= s.length()) {
                    throw new TemplateError(name, line, "unterminated quoted string");
                }
                tokens.add(new Token(Kind.STRING, s.substring(i, j + 1), value.toString(), adjacent));
                i = j + 1;
            } else if (c == '(' || c == ')') {
                tokens.add(new Token(c == '(' ? Kind.OPEN : Kind.CLOSE, String.valueOf(c), null, adjacent));
                i++;
            } else if (c == '|' || c == ',') {
                tokens.add(new Token(Kind.SIGN, String.valueOf(c), null, adjacent));
                i++;
            } else if (c == ':' && i + 1 < s.length() && s.charAt(i + 1) == '=') {
                tokens.add(new Token(Kind.SIGN, ":=", null, adjacent));
                i += 2;
            } else if (c == '=') {
                tokens.add(new Token(Kind.SIGN, "=", null, adjacent));
                i++;
            } else {
                int j = i;
                while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && "()|,=\"`".indexOf(s.charAt(j)) < 0
                        && !(s.charAt(j) == ':' && j + 1 < s.length() && s.charAt(j + 1) == '=')) {
                    j++;
                }
                String word = s.substring(i, j);
                tokens.add(word(name, line, word, adjacent));
                i = j;
            }
        }
    }

    private static Token word(String name, int line, String w, boolean adjacent) {
        if (w.startsWith(".")) {
            return new Token(Kind.FIELD, w, null, adjacent);
        }
        if (w.startsWith("$")) {
            if (!w.matches("\\$[A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
                throw new TemplateError(name, line, "'" + w + "' is not a variable");
            }
            return new Token(Kind.VARIABLE, w, null, adjacent);
        }
        if (w.matches("[-+]?\\d+")) {
            return new Token(Kind.NUMBER, w, Long.parseLong(w.startsWith("+") ? w.substring(1) : w), adjacent);
        }
        if (w.matches("[-+]?(\\d+\\.\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return new Token(Kind.NUMBER, w, Double.parseDouble(w), adjacent);
        }
        if (w.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            Object constant = switch (w) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> null;
            };
            return new Token(Kind.IDENTIFIER, w, constant, adjacent);
        }
        throw new TemplateError(name, line, "'" + w + "' is neither a field (.Name), a variable ($x), a string (\"x\"), a number nor a function");
    }

    static boolean isConstant(String identifier) {
        return identifier.equals("true") || identifier.equals("false") || identifier.equals("nil");
    }

    boolean hasMore() {
        return index < tokens.size();
    }

    Token next() {
        return tokens.get(index++);
    }

    Kind peekKind() {
        return hasMore() ? tokens.get(index).kind() : null;
    }

    String peekText() {
        return hasMore() ? tokens.get(index).text() : "";
    }

    boolean peekIs(String text) {
        return hasMore() && tokens.get(index).text().equals(text) && tokens.get(index).kind() != Kind.STRING;
    }

    boolean peekAdjacent() {
        return hasMore() && tokens.get(index).adjacent();
    }
}
