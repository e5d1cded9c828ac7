package io.slipway.cli.replay;

import io.slipway.cli.UserError;
import io.slipway.cli.events.KafkaOptions;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway replay TOPIC --group G --from WHERE [--partition P] [--dry-run] [--allow-skipping]}: moves a consumer
 * group back (its consumers read those records again) or forward (they skip them), after saying per partition what that
 * means.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, subcommands = RebuildCommand.class,
        description = {"Move a consumer group's position on a topic, so that its consumers read records again (or skip them).",
                "The group must have no running member. Slipway's services drop an event they have already applied, so reading"
                        + " again changes nothing that was applied; it re-applies what was not (after a fix)."})
public final class ReplayCommand implements Callable<Integer> {

    // TOPIC, --group and --from are required of a move, checked in call(): picocli would ask them of `replay rebuild` too
    @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC", description = "For example slipway.build.events.")
    String topic;

    @Option(names = "--group", paramLabel = "GROUP", description = "The consumer group to move, e.g. deploy-svc.builds (required).")
    String group;

    @Option(names = "--from", paramLabel = "WHERE",
            description = "earliest, latest, an offset (1234, with --partition), a time (2026-12-07T10:00:00Z) or an age (30m, 2h, 1d).")
    String from;

    @Option(names = "--partition", paramLabel = "P", description = "Only this partition (default: all).")
    Integer partition;

    @Option(names = "--dry-run", description = "Print what would be read again, per partition, and move nothing.")
    boolean dryRun;

    @Option(names = "--allow-skipping", description = "Allow a move forward: the group then never reads the records it skips.")
    boolean allowSkipping;

    @Mixin
    KafkaOptions kafka;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        if (topic == null || group == null || from == null) {
            throw new UserError("replay moves a consumer group: slipway replay TOPIC --group GROUP --from WHERE"
                    + " (or slipway replay rebuild SERVICE to rebuild a service's read models from their topics)");
        }
        StartPoint start = StartPoint.parse(from, clock);
        if (start.kind() == StartPoint.Kind.OFFSET && partition == null) {
            throw new UserError("--from " + from + " is an offset, which means something per partition: add --partition");
        }
        String servers = kafka.servers();
        PrintStream out = System.out;
        try (GroupReplay replay = new GroupReplay(servers)) {
            if (!dryRun) {
                // a running member is the first thing to fix, whatever else the plan would say
                replay.requireNoMembers(group);
            }
            GroupReplay.Plan plan = replay.plan(topic, group, start, partition);
            print(plan, out);
            String skipping = plan.skipped() == 0 ? null : "moving " + group + " to " + start + " skips " + plan.skipped()
                    + " record(s) it has not read; they would never be applied. Pass --allow-skipping to do it anyway";
            if (dryRun) {
                if (skipping != null && !allowSkipping) {
                    out.println("note: " + skipping);
                }
                try {
                    replay.requireNoMembers(group);
                } catch (UserError running) {
                    out.println("note: " + running.getMessage());
                }
                out.println("dry run: nothing moved");
                return 0;
            }
            if (skipping != null && !allowSkipping) {
                throw new UserError(skipping);
            }
            replay.apply(plan);
            out.println("moved " + group + ": its consumers read " + plan.readAgain() + " record(s) again"
                    + (plan.skipped() > 0 ? " and skip " + plan.skipped() : "") + " when they start");
        }
        return 0;
    }

    static void print(GroupReplay.Plan plan, PrintStream out) {
        out.printf("%s on %s, from %s%n", plan.group(), plan.topic(), plan.from());
        out.printf("%-9s %10s %10s %10s %12s%n", "PARTITION", "POSITION", "MOVE TO", "LOG END", "RECORDS");
        for (GroupReplay.Move m : plan.moves()) {
            String records = m.records() == 0 ? "0" : (m.skips() ? "skip " : "again ") + m.records();
            out.printf("%-9d %10s %10d %10d %12s%n", m.partition(), m.committed() == null ? "-" : m.committed().toString(), m.target(),
                    m.logEnd(), records);
        }
        out.printf("read again: %d record(s)%s%n", plan.readAgain(), plan.skipped() > 0 ? ", skipped: " + plan.skipped() : "");
    }
}
