package io.slipway.bench;

import io.slipway.embedded.EmbeddedKafka;
import io.slipway.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The shared frame of a benchmark's main: run it, stop everything it started on success, failure or Ctrl-C (a
 * shutdown hook), and exit 0 or 1.
 */
final class BenchMain {
    /** A benchmark body. */
    interface Body {
        void run() throws Exception;
    }

    private BenchMain() {
    }

    static void run(Body body, Runnable cleanUp, BooleanSupplier interruptedByCleanUp) {
        // Outside a Quarkus application nothing applies logging.properties, so libraries (Debezium, fabric8) would log
        // and format at every level; a service runs with its configured levels, give the benchmark the same.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        // SLF4J goes to the JBoss LogManager here (Quarkus' jars are on the classpath), which is not the JUL manager
        // outside a Quarkus application: left unconfigured it evaluates every debug line (MINA SSHD logs per packet)
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.WARNING);
        Thread hook = new Thread(cleanUp, "slipway-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int rc = 0;
        try {
            body.run();
        } catch (Throwable e) {
            if (interruptedByCleanUp.getAsBoolean()) {
                System.err.println("[bench] interrupted; everything it started is stopped");
            } else {
                System.err.println("benchmark failed: " + e);
                e.printStackTrace();
            }
            rc = 1;
        } finally {
            cleanUp.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
        System.exit(rc);
    }

    /** Stops what a benchmark started (each step on its own, so one failure does not leave the rest running). */
    static void stopInfrastructure(EmbeddedKafka kafka, EmbeddedPostgres pg, Path tmp) {
        if (kafka != null) {
            quietly(kafka::close);
        }
        if (pg != null) {
            quietly(pg::close);
        }
        if (tmp != null) {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            System.err.println("while stopping: " + e.getMessage());
        }
    }

    static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static void info(String line) {
        System.err.println("[bench] " + line);
    }
}
