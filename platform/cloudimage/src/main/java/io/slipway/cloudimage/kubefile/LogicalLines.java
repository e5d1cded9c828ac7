package io.slipway.cloudimage.kubefile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Joins continued lines (a trailing backslash) into one logical line and drops comments and blank lines, remembering
 * the line each logical line starts on. Comment lines inside a continuation are dropped too, as Docker does.
 */
final class LogicalLines {

    private static final Pattern CONTINUATION = Pattern.compile("\\\\[ \\t]*$");

    /** One instruction's text: {@code text} joined, {@code raw} as written. */
    record Logical(int line, String text, String raw) {
    }

    private LogicalLines() {
    }

    static List<Logical> of(String content) {
        String[] physical = content.split("\r?\n", -1);
        if (physical.length > 0 && physical[0].startsWith("\uFEFF")) {
            physical[0] = physical[0].substring(1);
        }
        List<Logical> result = new ArrayList<>();
        int i = 0;
        while (i < physical.length) {
            if (skippable(physical[i])) {
                i++;
                continue;
            }
            int start = i + 1;
            StringBuilder text = new StringBuilder();
            List<String> raw = new ArrayList<>();
            while (i < physical.length) {
                String line = physical[i++];
                raw.add(line);
                var m = CONTINUATION.matcher(line);
                if (!m.find()) {
                    text.append(line);
                    break;
                }
                text.append(line, 0, m.start());
                while (i < physical.length && skippable(physical[i])) {
                    i++;
                }
            }
            result.add(new Logical(start, text.toString().strip(), String.join("\n", raw)));
        }
        return result;
    }

    private static boolean skippable(String line) {
        String s = line.strip();
        return s.isEmpty() || s.startsWith("#");
    }
}
