package io.slipway.gotemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and actions, as Go's lexer does: {@code {{- } trims the whitespace before the action and
 * {@code  -}}} the whitespace after it (the marker needs the space, so {@code {{-3}}} is the number -3), and an action
 * ends at the first {@code }}} outside a quoted string, so {@code {{ "}}" }}} prints {@code }}}.
 */
final class Lexer {
    /** Text, or the inside of an action (markers removed) with the line it starts on. */
    record Piece(boolean action, String text, int line) {
    }

    private Lexer() {
    }

    static List<Piece> split(String name, String t) {
        List<Piece> pieces = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        int line = 1;
        boolean trimNext = false;
        while (i < t.length()) {
            int open = t.indexOf("{{", i);
            String before = open < 0 ? t.substring(i) : t.substring(i, open);
            line += count(before);
            text.append(trimNext ? before.stripLeading() : before);
            trimNext = false;
            if (open < 0) {
                break;
            }
            int start = open + 2;
            if (start + 1 < t.length() && t.charAt(start) == '-' && isSpace(t.charAt(start + 1))) {
                trimTrailing(text);
                start++;
            }
            int close = close(name, t, start, line);
            int end = close;
            if (end - 1 > start && t.charAt(end - 1) == '-' && isSpace(t.charAt(end - 2))) {
                end--;
                trimNext = true;
            }
            if (!text.isEmpty()) {
                pieces.add(new Piece(false, text.toString(), line));
                text.setLength(0);
            }
            String inner = t.substring(start, end);
            pieces.add(new Piece(true, inner.strip(), line));
            line += count(t.substring(open, close));
            i = close + 2;
        }
        if (!text.isEmpty()) {
            pieces.add(new Piece(false, text.toString(), line));
        }
        return pieces;
    }

    /** The index of the {@code }}} that closes the action opened before {@code from}, skipping quoted strings. */
    private static int close(String name, String t, int from, int line) {
        int i = from;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '"' || c == '`' || c == '\'') {
                int j = i + 1;
                while (j < t.length() && t.charAt(j) != c) {
                    if (c != '`' && t.charAt(j) == '\\') {
                        j++;
                    }
                    if (c != '`' && j < t.length() && t.charAt(j) == '\n') {
                        throw new TemplateError(name, line, "unterminated quoted string");
                    }
                    j++;
                }
                if (j >= t.length()) {
                    throw new TemplateError(name, line, "unterminated quoted string");
                }
                i = j + 1;
            } else if (c == '/' && i + 1 < t.length() && t.charAt(i + 1) == '*') {
                int endComment = t.indexOf("*/", i + 2);
                if (endComment < 0) {
                    throw new TemplateError(name, line, "unclosed comment");
                }
                i = endComment + 2;
            } else if (c == '}' && i + 1 < t.length() && t.charAt(i + 1) == '}') {
                return i;
            } else {
                i++;
            }
        }
        throw new TemplateError(name, line, "unclosed action: '{{' without '}}'");
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static void trimTrailing(StringBuilder text) {
        int end = text.length();
        while (end > 0 && isSpace(text.charAt(end - 1))) {
            end--;
        }
        text.setLength(end);
    }

    static int count(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
