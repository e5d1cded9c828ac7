package io.slipway.ssh;

/** How commands gain root: not at all (the user is root), sudo without a password, or sudo with the login password. */
public enum SudoMode {
    NONE, NOPASSWD, PASSWORD
}
