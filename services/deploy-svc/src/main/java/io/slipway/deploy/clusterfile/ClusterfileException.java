package io.slipway.deploy.clusterfile;

/**
 * A Clusterfile a user must fix: names the file, the line, the field (as a path like {@code spec.hosts[1].ips[0]})
 * and what is wrong. Never quotes a secret.
 */
public class ClusterfileException extends RuntimeException {
    private final String file;
    private final int line;
    private final String field;

    public ClusterfileException(String file, int line, String field, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + problem);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    public String file() {
        return file;
    }

    /** 1-based line, 0 when the problem is not at one place. */
    public int line() {
        return line;
    }

    public String field() {
        return field;
    }
}
