package io.slipway.ssh;

/** What a command did on a host: its exit code and output. */
public record SshResult(String host, int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** This result, or a COMMAND_FAILED naming host, step, exit code and the end of stderr. */
    public SshResult requireOk(String step) throws SshException {
        if (ok()) {
            return this;
        }
        String err = (stderr.isBlank() ? stdout : stderr).strip();
        if (err.length() > 600) {
            err = "..." + err.substring(err.length() - 600);
        }
        throw new SshException(SshException.Kind.COMMAND_FAILED, host, step + " exited " + exitCode + (err.isEmpty() ? "" : ": " + err));
    }
}
