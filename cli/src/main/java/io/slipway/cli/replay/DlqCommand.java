package io.slipway.cli.replay;

import io.slipway.cli.UserError;
import io.slipway.cli.events.KafkaOptions;
import io.slipway.cli.events.RecordRenderer;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.security.SigningKey;
import io.slipway.security.Tokens;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway dlq ls|show|retry}: what the dead-letter topics hold, and sending records back once the cause is fixed. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Inspect dead-letter topics and send their records back.",
        subcommands = {DlqCommand.Ls.class, DlqCommand.Show.class, DlqCommand.Retry.class})
public final class DlqCommand {

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Every dead-letter topic with its records, by origin and reason.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            PrintStream out = System.out;
            try (DeadLetterQueue dlqs = new DeadLetterQueue(kafka.servers())) {
                out.printf("%-44s %8s  %-24s  %s%n", "DLQ", "RECORDS", "NEWEST", "CONSUMER GROUPS");
                for (String topic : dlqs.topics()) {
                    List<ConsumerRecord<byte[], byte[]>> held = dlqs.read(topic);
                    String newest = held.stream().mapToLong(ConsumerRecord::timestamp).max().stream()
                            .mapToObj(t -> Instant.ofEpochMilli(t).toString()).findFirst().orElse("-");
                    out.printf("%-44s %8d  %-24s  %s%n", topic, held.size(), newest, counts(DeadLetterQueue.countBy(held, DeadLetterQueue.GROUP)));
                }
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "A DLQ's records as JSON lines: where each came from, why it failed, and the decoded event.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DLQ", description = "For example slipway.build.requests.dlq.")
        String dlq;

        @Option(names = "--record", paramLabel = "P@OFFSET", description = "Only these records (repeatable), e.g. 0@12.")
        List<String> only = new ArrayList<>();

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            RecordRenderer renderer = new RecordRenderer(EventCodec.released());
            try (DeadLetterQueue dlqs = new DeadLetterQueue(kafka.servers())) {
                for (ConsumerRecord<byte[], byte[]> r : select(dlq, dlqs.read(dlq), only, true)) {
                    System.out.println(renderer.toLine(r));
                }
            }
            return 0;
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = {"Send a DLQ's records back to the topic each came from (after the cause is fixed).",
                    "The consumer that failed applies them; every other consumer of that topic drops them, having applied them"
                            + " already (Slipway's consumers drop an event id they have seen). A command carries --token, the"
                            + " retrying operator's, as a DLQ never keeps the original one."})
    static final class Retry implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DLQ", description = "For example slipway.build.requests.dlq.")
        String dlq;

        @Option(names = "--record", paramLabel = "P@OFFSET", description = "Send these records (repeatable), e.g. 0@12.")
        List<String> only = new ArrayList<>();

        @Option(names = "--all", description = "Send every record the DLQ holds.")
        boolean all;

        @Option(names = "--dry-run", description = "Print what would be sent where, and send nothing.")
        boolean dryRun;

        @Option(names = "--token", paramLabel = "JWT",
                description = "Bearer token for commands (default: $SLIPWAY_TOKEN, else an operator token of the local stack's key).")
        String token;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            if (all == !only.isEmpty()) {
                throw new UserError("say which records to send back: --record P@OFFSET (repeatable) or --all");
            }
            PrintStream out = System.out;
            try (DeadLetterQueue dlqs = new DeadLetterQueue(kafka.servers())) {
                List<ConsumerRecord<byte[], byte[]>> chosen = select(dlq, dlqs.read(dlq), only, all);
                if (dryRun) {
                    for (ConsumerRecord<byte[], byte[]> r : chosen) {
                        out.printf("%s -> %s  %s %s  (%s)%n", DeadLetterQueue.where(r), DeadLetterQueue.origin(dlq, r),
                                DeadLetterQueue.header(r, DeadLetterQueue.EVENT_TYPE), DeadLetterQueue.header(r, DeadLetterQueue.EVENT_ID),
                                DeadLetterQueue.header(r, DeadLetterQueue.REASON));
                    }
                    out.println("dry run: " + chosen.size() + " record(s) would be sent back, nothing was sent");
                    return 0;
                }
                for (DeadLetterQueue.Retried sent : dlqs.retry(dlq, chosen, bearer())) {
                    out.printf("%s -> %s/%d@%d  %s %s%n", DeadLetterQueue.where(sent.deadLetter()), sent.topic(), sent.partition(), sent.offset(),
                            DeadLetterQueue.header(sent.deadLetter(), DeadLetterQueue.EVENT_TYPE),
                            DeadLetterQueue.header(sent.deadLetter(), DeadLetterQueue.EVENT_ID));
                }
                out.println(chosen.size() + " record(s) sent back; the DLQ keeps them (a topic is append-only), and sending one"
                        + " again changes nothing once it was applied");
            }
            return 0;
        }

        private String bearer() {
            if (token != null && !token.isBlank()) {
                return token;
            }
            String env = System.getenv("SLIPWAY_TOKEN");
            if (env != null && !env.isBlank()) {
                return env;
            }
            if (kafka.named()) {
                return null; // another Kafka than the local stack's: its key signs nothing there
            }
            return Tokens.issue(SigningKey.loadOrCreate(kafka.stack().layout().keys()), "slipway-dlq-retry", Role.operator, Duration.ofHours(1));
        }
    }

    /** The records named by {@code P@OFFSET}, or all of them; a name that is not there is an error. */
    static List<ConsumerRecord<byte[], byte[]>> select(String dlq, List<ConsumerRecord<byte[], byte[]>> held, List<String> only, boolean allWhenNone) {
        if (only.isEmpty()) {
            return allWhenNone ? held : List.of();
        }
        List<ConsumerRecord<byte[], byte[]>> chosen = new ArrayList<>();
        for (String name : only) {
            String[] parts = name.split("@", 2);
            if (parts.length != 2 || !parts[0].matches("\\d{1,9}") || !parts[1].matches("\\d{1,18}")) {
                throw new UserError("--record " + name + ": expected PARTITION@OFFSET, e.g. 0@12");
            }
            int p = Integer.parseInt(parts[0]);
            long o = Long.parseLong(parts[1]);
            chosen.add(held.stream().filter(r -> r.partition() == p && r.offset() == o).findFirst()
                    .orElseThrow(() -> new UserError(dlq + " holds no record " + name + " (slipway dlq show " + dlq + " lists them)")));
        }
        return chosen;
    }

    private static String counts(Map<String, Long> counts) {
        return counts.isEmpty() ? "-" : String.join(", ", counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }
}
