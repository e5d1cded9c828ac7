package io.slipway.ssh;

/** Work on one host for {@link SshEngine#onEach}. */
@FunctionalInterface
public interface SshTask<R> {
    R run(SshTarget target) throws SshException;
}
