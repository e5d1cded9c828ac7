package io.slipway.cloudimage.kubefile;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed and checked Kubefile: its instructions in order. Everything that can be known without the build context
 * and the base image is checked here (unknown instructions, arity, JSON forms, FROM first and once, LAUNCH/CMDS last
 * and once, applications declared before use); each violation is a {@link KubefileException} naming file and line.
 */
public final class Kubefile {

    private final String fileName;
    private final List<Instruction> instructions;
    private final List<String> warnings;

    private Kubefile(String fileName, List<Instruction> instructions, List<String> warnings) {
        this.fileName = fileName;
        this.instructions = List.copyOf(instructions);
        this.warnings = List.copyOf(warnings);
    }

    /** Reads and parses a Kubefile; messages name it by its file name. */
    public static Kubefile parse(Path file) throws IOException {
        String name = file.getFileName().toString();
        try {
            return parse(name, Files.readString(file, StandardCharsets.UTF_8));
        } catch (MalformedInputException e) {
            throw new KubefileException(name, 1, "the Kubefile is not UTF-8 text");
        }
    }

    public static Kubefile parse(String fileName, String text) {
        List<LogicalLines.Logical> lines = LogicalLines.of(text);
        if (lines.isEmpty()) {
            throw new KubefileException(fileName, 1, "the Kubefile has no instructions; it must start with FROM");
        }
        KubefileParser parser = new KubefileParser(fileName);
        List<Instruction> instructions = new ArrayList<>();
        for (LogicalLines.Logical line : lines) {
            instructions.add(parser.parse(line));
        }
        List<String> warnings = new ArrayList<>();
        Map<Keyword, Instruction> once = new HashMap<>();
        Map<String, Instruction> apps = new HashMap<>();
        List<Instruction> finals = new ArrayList<>();
        Instruction firstCmd = null;
        for (Instruction ins : instructions) {
            if (!once.containsKey(Keyword.FROM) && ins.keyword() != Keyword.FROM && ins.keyword() != Keyword.ARG) {
                throw ins.error(ins.keyword() + " before FROM: a Kubefile starts with FROM (only ARG may precede it)");
            }
            switch (ins.keyword()) {
                case FROM -> onlyOnce(once, ins, "; multi-stage builds are not supported");
                case KUBEVERSION -> onlyOnce(once, ins, "");
                case APP, CNI, CSI -> {
                    String name = ins.args().get(0).text();
                    Instruction earlier = apps.putIfAbsent(name, ins);
                    if (earlier != null) {
                        throw ins.error("application '" + name + "' is already declared at line " + earlier.line());
                    }
                }
                case LAUNCH, CMDS -> finals.add(ins);
                case CMD -> {
                    if (firstCmd == null) {
                        firstCmd = ins;
                    }
                    warnings.add(fileName + ":" + ins.line() + ": CMD is deprecated; use CMDS [\"command\", ...] or LAUNCH");
                }
                default -> {
                }
            }
        }
        if (!once.containsKey(Keyword.FROM)) {
            throw new KubefileException(fileName, lines.get(lines.size() - 1).line(),
                    "the Kubefile has no FROM instruction (FROM scratch or FROM a CloudImage)");
        }
        checkFinal(instructions, finals, firstCmd);
        Kubefile kubefile = new Kubefile(fileName, instructions, warnings);
        if (kubefile.fromScratch()) {
            kubefile.checkApplications(Set.of());
        }
        return kubefile;
    }

    /** LAUNCH or CMDS: at most one of them, once, as the last instruction, and not mixed with CMD. */
    private static void checkFinal(List<Instruction> instructions, List<Instruction> finals, Instruction firstCmd) {
        if (finals.isEmpty()) {
            return;
        }
        Instruction first = finals.get(0);
        if (finals.size() > 1) {
            Instruction second = finals.get(1);
            throw second.keyword() == first.keyword()
                    ? second.error(second.keyword() + " may appear only once (first at line " + first.line() + ")")
                    : second.error("LAUNCH and CMDS cannot both be used (" + first.keyword() + " at line " + first.line() + ")");
        }
        if (firstCmd != null) {
            Instruction later = firstCmd.line() > first.line() ? firstCmd : first;
            Instruction earlier = later == firstCmd ? first : firstCmd;
            throw later.error(first.keyword() + " and CMD cannot both be used (" + earlier.keyword() + " at line "
                    + earlier.line() + ")");
        }
        if (first != instructions.get(instructions.size() - 1)) {
            throw first.error(first.keyword() + " must be the last instruction");
        }
    }

    private static void onlyOnce(Map<Keyword, Instruction> once, Instruction ins, String hint) {
        Instruction first = once.putIfAbsent(ins.keyword(), ins);
        if (first != null) {
            throw ins.error(ins.keyword() + " may appear only once (first at line " + first.line() + ")" + hint);
        }
    }

    /**
     * Checks that APPCMDS, APPENV and LAUNCH name applications declared before them, here or in the base image
     * ({@code inherited}). The parser does it for FROM scratch; the builder, which knows the base, does it otherwise.
     */
    public void checkApplications(Set<String> inherited) {
        Map<String, Instruction> declared = new LinkedHashMap<>();
        for (Instruction ins : instructions) {
            if (ins.keyword().declaresApp()) {
                declared.put(ins.args().get(0).text(), ins);
            } else if (ins.keyword() == Keyword.APPCMDS || ins.keyword() == Keyword.APPENV || ins.keyword() == Keyword.LAUNCH) {
                List<Word> names = ins.keyword() == Keyword.LAUNCH ? ins.args() : ins.args().subList(0, 1);
                for (Word name : names) {
                    if (name.isLiteral() && !declared.containsKey(name.text()) && !inherited.contains(name.text())) {
                        throw ins.error(ins.keyword() + " names application '" + name.text()
                                + "', which no APP, CNI or CSI before it declares" + known(declared.keySet(), inherited));
                    }
                }
            }
        }
    }

    private static String known(Set<String> declared, Set<String> inherited) {
        List<String> all = new ArrayList<>(inherited);
        all.addAll(declared);
        return all.isEmpty() ? "" : " (known: " + String.join(", ", all) + ")";
    }

    public String fileName() {
        return fileName;
    }

    public List<Instruction> instructions() {
        return instructions;
    }

    /** Non-fatal remarks (deprecated forms), each located as {@code file:line: ...}. */
    public List<String> warnings() {
        return warnings;
    }

    public Instruction from() {
        return instructions.stream().filter(i -> i.keyword() == Keyword.FROM).findFirst().orElseThrow();
    }

    public boolean fromScratch() {
        Word image = from().args().get(0);
        return image.isLiteral() && image.text().equals("scratch");
    }

    /** Names of the variables the Kubefile declares with ARG, in order. */
    public List<String> declaredArgs() {
        List<String> names = new ArrayList<>();
        for (Instruction ins : instructions) {
            if (ins.keyword() == Keyword.ARG) {
                String source = ins.args().get(0).source();
                int eq = source.indexOf('=');
                names.add(eq < 0 ? source : source.substring(0, eq));
            }
        }
        return names;
    }
}
