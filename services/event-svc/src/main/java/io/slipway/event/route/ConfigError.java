package io.slipway.event.route;

/**
 * A routing configuration that cannot be used, with where the problem is: the line and column in the YAML text and
 * the path of the field ({@code receivers[0].dingtalk.url}). Messages never carry the value of a secret field.
 */
public class ConfigError extends RuntimeException {
    private final String path;
    private final int line;
    private final int column;

    public ConfigError(String path, int line, int column, String problem) {
        super(location(line, column, path) + problem);
        this.path = path;
        this.line = line;
        this.column = column;
    }

    /** The field's path in the document, e.g. {@code route.routes[1].match[0].message}; empty for the whole document. */
    public String path() {
        return path;
    }

    /** 1-based line, 0 when the problem has no single place. */
    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    private static String location(int line, int column, String path) {
        StringBuilder s = new StringBuilder();
        if (line > 0) {
            s.append("line ").append(line).append(", column ").append(column);
        }
        if (path != null && !path.isEmpty()) {
            s.append(s.isEmpty() ? "" : " ").append("(").append(path).append(")");
        }
        return s.isEmpty() ? "" : s.append(": ").toString();
    }
}
