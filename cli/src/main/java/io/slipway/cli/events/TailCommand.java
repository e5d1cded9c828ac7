package io.slipway.cli.events;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway events tail TOPIC}: one JSON line per record, following the topic until Ctrl-C or {@code --max}. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print a topic's records as JSON lines (position, key, envelope headers, decoded event).")
public final class TailCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TOPIC", description = "For example slipway.build.events.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of the newest.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0", description = "Stop after N records (default: follow).")
    long max;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        String servers = kafka.servers();
        PrintStream out = System.out;
        CountDownLatch done = new CountDownLatch(1);
        try (TopicTail tail = new TopicTail(servers, topic, fromBeginning)) {
            Thread hook = new Thread(() -> {
                tail.wakeup();
                awaitQuietly(done);
            }, "slipway-events-tail-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                tail.read(max, line -> {
                    out.println(line);
                    out.flush();
                    return !out.checkError(); // stop when stdout is gone (| head)
                }, () -> false);
            } finally {
                done.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
        }
        return 0;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(5), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
