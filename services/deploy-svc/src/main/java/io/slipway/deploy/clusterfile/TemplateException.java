package io.slipway.deploy.clusterfile;

/** A template that cannot be rendered: names the file, the line and the problem (a missing key says which). */
public class TemplateException extends Exception {
    private final String file;
    private final int line;

    public TemplateException(String file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
