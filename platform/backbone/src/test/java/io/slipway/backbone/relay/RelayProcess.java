package io.slipway.backbone.relay;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.BackboneConfigs;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A relay in a JVM of its own, as a service's pod runs it, so that a test can kill it outright (SIGKILL: no offset
 * flush, no connector shutdown, sockets closed by the kernel). Arguments: {@code key=value} backbone properties.
 */
public final class RelayProcess {
    private RelayProcess() {
    }

    public static void main(String[] args) {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.WARNING);
        Map<String, String> properties = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            properties.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        OutboxRelay relay = new OutboxRelay(BackboneConfigs.of(properties), new SimpleMeterRegistry());
        relay.start();
        while (true) {
            LockSupport.park(); // until killed
        }
    }
}
