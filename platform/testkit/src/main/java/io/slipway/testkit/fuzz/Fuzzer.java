package io.slipway.testkit.fuzz;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A seeded mutation fuzzer for the parsers of user input. It starts from valid examples (the corpus), applies a few
 * random edits to each (flip a character, insert a token of the format's dictionary, delete or repeat a stretch, splice
 * two examples, cut the end) and feeds the result to the parser. An input may be accepted or refused with the parser's
 * own error type; anything else is a crash: another exception (a {@code NullPointerException}, an index out of
 * bounds, a {@code StackOverflowError}), an input that runs longer than the time limit (a hang), or one that allocates
 * more than the memory limit (a blow-up).
 *
 * <p>Runs are reproducible: the same seed gives the same inputs. {@code -Dslipway.fuzz.inputs=N} runs more inputs on
 * demand, {@code -Dslipway.fuzz.seed=S} another sequence; a crash names the seed and the input's number.
 */
public final class Fuzzer<T> {
    /** Inputs per parser in the suite; CI's budget. */
    public static final int DEFAULT_INPUTS = 2000;
    private static final long DEFAULT_SEED = 0x5119_3A7EL;
    private static final String ODD = "\u0000\t\n\r \"'\\:#-[]{}&*!|>%@`,?=$./~\u00a0\u2028\ufeff\uffff\ud800\ud83d\ude80";

    /** What the fuzzer edits: text or bytes. */
    public interface Format<T> {
        T mutate(T input, List<T> corpus, List<String> dictionary, Random random);

        /** The input, printable, to copy into a regression test. */
        String describe(T input);
    }

    /** The parser under test; it may throw anything. */
    public interface Target<T> {
        void accept(T input) throws Exception;
    }

    /** How a run went; {@link #crashes()} is empty when the parser held. */
    public record Report(String name, int inputs, int accepted, int refused, List<String> crashes, long seed) {
        public String summary() {
            return String.format("fuzz %-22s %6d inputs: %6d accepted, %6d refused with the parser's error, %d crashes (seed %d)",
                    name, inputs, accepted, refused, crashes.size(), seed);
        }
    }

    private final String name;
    private final Format<T> format;
    private final List<T> corpus = new ArrayList<>();
    private final List<String> dictionary = new ArrayList<>();
    private int inputs = DEFAULT_INPUTS;
    private Duration timeLimit = Duration.ofSeconds(5);
    private long memoryLimit = 512L << 20;

    private Fuzzer(String name, Format<T> format) {
        this.name = name;
        this.format = format;
    }

    /** A fuzzer of text; the corpus holds valid examples of the format. */
    public static Fuzzer<String> text(String name, String... corpus) {
        Fuzzer<String> f = new Fuzzer<>(name, new TextFormat());
        f.corpus.addAll(List.of(corpus));
        return f;
    }

    /** A fuzzer of bytes (archives). */
    public static Fuzzer<byte[]> bytes(String name, List<byte[]> corpus) {
        Fuzzer<byte[]> f = new Fuzzer<>(name, new BytesFormat());
        f.corpus.addAll(corpus);
        return f;
    }

    /** Tokens of the format (keywords, field names, punctuation) that edits insert. */
    public Fuzzer<T> dictionary(String... tokens) {
        dictionary.addAll(List.of(tokens));
        return this;
    }

    /** Fewer inputs in the suite for a parser whose inputs are slow (they touch the disk); the property still overrides. */
    public Fuzzer<T> inputs(int inSuite) {
        this.inputs = inSuite;
        return this;
    }

    /** The longest one input may run before it counts as a hang. */
    public Fuzzer<T> timeLimit(Duration limit) {
        this.timeLimit = limit;
        return this;
    }

    /** The most one input may allocate before it counts as a blow-up. */
    public Fuzzer<T> memoryLimit(long bytes) {
        this.memoryLimit = bytes;
        return this;
    }

    /** Runs the suite's number of inputs (or {@code slipway.fuzz.inputs}); {@code refusal}: the parser's own errors. */
    @SafeVarargs
    public final Report run(Target<T> target, Class<? extends Throwable>... refusal) {
        long seed = Long.getLong("slipway.fuzz.seed", DEFAULT_SEED);
        return run(Integer.getInteger("slipway.fuzz.inputs", inputs), seed, target, refusal);
    }

    @SafeVarargs
    public final Report run(int inputs, long seed, Target<T> target, Class<? extends Throwable>... refusal) {
        if (corpus.isEmpty()) {
            throw new IllegalStateException("a fuzzer needs at least one example to start from");
        }
        Random random = new Random(seed);
        List<String> crashes = new ArrayList<>();
        int accepted = 0;
        int refused = 0;
        ExecutorService runner = newRunner();
        try {
            for (int i = 0; i < inputs; i++) {
                T input = i < corpus.size() ? corpus.get(i) : format.mutate(corpus.get(random.nextInt(corpus.size())), corpus, dictionary, random);
                Outcome outcome = once(runner, target, input, refusal);
                switch (outcome.kind) {
                    case ACCEPTED -> accepted++;
                    case REFUSED -> refused++;
                    default -> {
                        crashes.add("input " + i + " (seed " + seed + "): " + outcome.detail + "\n    input: " + format.describe(input));
                        if (outcome.kind == Kind.HUNG) { // its thread is still busy: give the rest a fresh one
                            runner.shutdownNow();
                            runner = newRunner();
                        }
                    }
                }
            }
        } finally {
            runner.shutdownNow();
        }
        Report report = new Report(name, inputs, accepted, refused, List.copyOf(crashes), seed);
        System.out.println(report.summary());
        return report;
    }

    private enum Kind { ACCEPTED, REFUSED, CRASHED, HUNG }

    private record Outcome(Kind kind, String detail) {
    }

    private Outcome once(ExecutorService runner, Target<T> target, T input, Class<? extends Throwable>[] refusal) {
        Future<Outcome> run = runner.submit(() -> {
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            Outcome outcome;
            try {
                target.accept(input);
                outcome = new Outcome(Kind.ACCEPTED, null);
            } catch (Throwable t) {
                outcome = isRefusal(t, refusal) ? new Outcome(Kind.REFUSED, null) : new Outcome(Kind.CRASHED, trace(t));
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > memoryLimit) {
                return new Outcome(Kind.CRASHED, "allocated " + (allocated >> 20) + " MiB (limit " + (memoryLimit >> 20) + " MiB)");
            }
            return outcome;
        });
        try {
            return run.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            return new Outcome(Kind.HUNG, "still running after " + timeLimit.toMillis() + " ms");
        } catch (ExecutionException e) {
            return new Outcome(Kind.CRASHED, trace(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fuzzing " + name, e);
        }
    }

    private static boolean isRefusal(Throwable t, Class<? extends Throwable>[] refusal) {
        for (Class<? extends Throwable> type : refusal) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String trace(Throwable t) {
        StringBuilder s = new StringBuilder(t.toString());
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < Math.min(6, frames.length); i++) {
            s.append("\n      at ").append(frames[i]);
        }
        return s.toString();
    }

    private static ExecutorService newRunner() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz-target", 16L << 20); // a deep but finite stack: recursion must end in an error
            t.setDaemon(true);
            return t;
        });
    }

    /** Edits of text: characters that break formats, tokens of the format, and structure (repeat, cut, splice). */
    static final class TextFormat implements Format<String> {
        @Override
        public String mutate(String input, List<String> corpus, List<String> dictionary, Random random) {
            StringBuilder s = new StringBuilder(input);
            int edits = 1 + random.nextInt(6);
            for (int e = 0; e < edits; e++) {
                int at = s.isEmpty() ? 0 : random.nextInt(s.length() + 1);
                switch (random.nextInt(7)) {
                    case 0 -> { // flip one character into one that means something to some format
                        if (at < s.length()) {
                            s.setCharAt(at, ODD.charAt(random.nextInt(ODD.length())));
                        }
                    }
                    case 1 -> s.insert(at, dictionary.isEmpty() ? "x" : dictionary.get(random.nextInt(dictionary.size())));
                    case 2 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(16)));
                    case 3 -> { // repeat a stretch: nesting, long lines, many entries
                        int end = Math.min(s.length(), at + 1 + random.nextInt(24));
                        String stretch = s.substring(at, end);
                        s.insert(at, stretch.repeat(1 + random.nextInt(random.nextInt(10) == 0 ? 200 : 8)));
                    }
                    case 4 -> { // splice: the start of this, the end of another example
                        String other = corpus.get(random.nextInt(corpus.size()));
                        s.setLength(at);
                        s.append(other, random.nextInt(other.length() + 1), other.length());
                    }
                    case 5 -> s.setLength(at); // cut short
                    default -> s.insert(at, ODD.charAt(random.nextInt(ODD.length())));
                }
            }
            return s.toString();
        }

        @Override
        public String describe(String input) {
            StringBuilder s = new StringBuilder();
            input.chars().limit(2000).forEach(c -> s.append(c >= 32 && c < 127 && c != '"' && c != '\\' ? String.valueOf((char) c)
                    : String.format("\\u%04x", c)));
            return "\"" + s + "\"" + (input.length() > 2000 ? " (first 2000 of " + input.length() + " chars)" : "");
        }
    }

    /** Edits of bytes: flips, cuts, repeats and splices, keeping headers long enough to be looked at. */
    static final class BytesFormat implements Format<byte[]> {
        @Override
        public byte[] mutate(byte[] input, List<byte[]> corpus, List<String> dictionary, Random random) {
            byte[] b = input.clone();
            int edits = 1 + random.nextInt(8);
            for (int e = 0; e < edits && b.length > 0; e++) {
                int at = random.nextInt(b.length);
                switch (random.nextInt(5)) {
                    case 0, 1 -> b[at] = (byte) random.nextInt(256);
                    case 2 -> b = java.util.Arrays.copyOf(b, at); // truncated
                    case 3 -> { // a header field rewritten with a token (a size, a type flag, a name)
                        byte[] token = (dictionary.isEmpty() ? "0" : dictionary.get(random.nextInt(dictionary.size())))
                                .getBytes(StandardCharsets.ISO_8859_1);
                        System.arraycopy(token, 0, b, at, Math.min(token.length, b.length - at));
                    }
                    default -> {
                        byte[] other = corpus.get(random.nextInt(corpus.size()));
                        int from = random.nextInt(other.length + 1);
                        byte[] spliced = java.util.Arrays.copyOf(b, at + other.length - from);
                        System.arraycopy(other, from, spliced, at, other.length - from);
                        b = spliced;
                    }
                }
            }
            return b;
        }

        @Override
        public String describe(byte[] input) {
            return "base64 " + java.util.Base64.getEncoder().encodeToString(input) + " (" + input.length + " bytes)";
        }
    }
}
