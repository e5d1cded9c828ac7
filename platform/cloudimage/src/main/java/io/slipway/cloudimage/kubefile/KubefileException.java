package io.slipway.cloudimage.kubefile;

/**
 * A Kubefile that cannot be built as written: a syntax or rule violation, or an instruction whose sources, base image
 * or command fail. The message always starts with {@code file:line:} so a user knows where to look.
 */
public final class KubefileException extends RuntimeException {

    private final String fileName;
    private final int line;
    private final String detail;

    public KubefileException(String fileName, int line, String detail) {
        this(fileName, line, detail, null);
    }

    public KubefileException(String fileName, int line, String detail, Throwable cause) {
        super(fileName + ":" + line + ": " + detail, cause);
        this.fileName = fileName;
        this.line = line;
        this.detail = detail;
    }

    public String fileName() {
        return fileName;
    }

    /** 1-based line of the instruction (its first line when continued). */
    public int line() {
        return line;
    }

    /** What is wrong, without the location prefix. */
    public String detail() {
        return detail;
    }
}
