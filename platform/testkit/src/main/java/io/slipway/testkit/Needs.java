package io.slipway.testkit;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (root for namespace hosts, unprivileged user namespaces, a Debian tool). On a
 * developer's machine a missing need skips the test and says why. Under CI ({@code CI=true}, which {@code .ci/run}
 * sets) it fails the test: CI must never pass without having run them.
 */
public final class Needs {
    private Needs() {
    }

    /** Goes on when {@code met}; otherwise skips (or, under CI, fails) naming {@code what} the test needs. */
    public static void machine(boolean met, String what) {
        if (met) {
            return;
        }
        if (underCi()) {
            throw new AssertionError("this test needs " + what + ", and under CI (CI=true) it must run, not be skipped");
        }
        Assumptions.abort(what);
    }

    /** Whether this run is CI's ({@code CI=true}): then a test the machine cannot run fails. */
    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
