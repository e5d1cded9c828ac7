package io.slipway.yaml;

/**
 * A problem in a user's YAML file with where it is: the line and column, and the path of the field
 * ({@code receivers[0].dingtalk.url}). Each parser turns it into its own error type and adds the file's name.
 * Messages never carry a value: a secret may stand in the wrong place.
 */
public class YamlError extends IllegalArgumentException {
    private final String path;
    private final int line;
    private final int column;
    private final String problem;

    public YamlError(String path, int line, int column, String problem) {
        super(location(line, column, path) + problem);
        this.path = path == null ? "" : path;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    /** The field's path in the document, e.g. {@code route.routes[1].match[0].message}; empty for the whole document. */
    public String path() {
        return path;
    }

    /** 1-based line, 0 when the problem has no single place. */
    public int line() {
        return line;
    }

    /** 1-based column, 0 when the problem has no single place. */
    public int column() {
        return column;
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
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
