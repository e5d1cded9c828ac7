package io.slipway.gotemplate;

/**
 * A template that cannot be parsed or rendered: the template's name, the line of the action at fault and what is
 * wrong. A missing key printed under {@link GoTemplate.Options#strictMissingKeys()} says which key ({@link #missingKey()}).
 * Messages quote the template, never the data.
 */
public final class TemplateError extends IllegalArgumentException {
    private final String name;
    private final int line;
    private final String problem;
    private final String missingKey;

    TemplateError(String name, int line, String problem) {
        this(name, line, problem, null);
    }

    TemplateError(String name, int line, String problem, String missingKey) {
        super(name + ":" + line + ": " + problem);
        this.name = name;
        this.line = line;
        this.problem = problem;
        this.missingKey = missingKey;
    }

    public String name() {
        return name;
    }

    /** 1-based line of the action (or of the unclosed block) at fault. */
    public int line() {
        return line;
    }

    /** What is wrong, without the name and line. */
    public String problem() {
        return problem;
    }

    /** The key that was printed while it is not set, or null for any other error. */
    public String missingKey() {
        return missingKey;
    }
}
