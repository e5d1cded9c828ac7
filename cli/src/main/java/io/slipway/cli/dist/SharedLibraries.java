package io.slipway.cli.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The host libraries a set of ELF files loads, found with {@code ldd} (which follows the dynamic loader's own search,
 * transitively): what an image must carry for those files to run with nothing else beside them. Libraries inside the
 * given tree (a JRE's own, found through its RPATH) are not listed.
 */
final class SharedLibraries {

    /** {@code libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)}, and the loader: {@code /lib64/ld-linux-x86-64.so.2 (0x...)}. */
    private static final Pattern RESOLVED = Pattern.compile("^\\s*\\S+ => (/\\S+) \\(0x[0-9a-f]+\\)$");
    private static final Pattern LOADER = Pattern.compile("^\\s*(/\\S+) \\(0x[0-9a-f]+\\)$");
    private static final Pattern MISSING = Pattern.compile("^\\s*(\\S+) => not found$");

    private SharedLibraries() {
    }

    /**
     * The absolute host paths of every library the ELF files under {@code tree} need, except those of {@code skip}
     * (file names of libraries that are never loaded in this use, such as a JRE's X11 toolkit when it runs headless). A
     * library ldd cannot find is an error unless the tree has a file of that name (found at run time once loaded).
     */
    static Set<String> neededBy(Path tree, Set<String> skip) throws IOException {
        List<Path> elves = new ArrayList<>();
        Set<String> ownNames = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (Files.isRegularFile(p) && !Files.isSymbolicLink(p) && isElf(p)) {
                    ownNames.add(p.getFileName().toString());
                    if (!skip.contains(p.getFileName().toString())) {
                        elves.add(p);
                    }
                }
            }
        }
        if (elves.isEmpty()) {
            return Set.of();
        }
        Set<String> needed = new TreeSet<>();
        List<String> missing = new ArrayList<>();
        String current = null;
        for (String line : ldd(elves)) {
            if (line.endsWith(":") && !line.startsWith("\t")) {
                current = line.substring(0, line.length() - 1);
                continue;
            }
            Matcher m;
            if ((m = MISSING.matcher(line)).matches()) {
                // a JRE's libraries name libjvm.so, which the loader finds already loaded by the launcher
                if (ownNames.contains(m.group(1))) {
                    continue;
                }
                missing.add(m.group(1) + " (needed by " + current + ")");
            } else if ((m = RESOLVED.matcher(line)).matches() || (m = LOADER.matcher(line)).matches()) {
                Path lib = Path.of(m.group(1));
                if (!lib.normalize().startsWith(tree.toAbsolutePath().normalize())) {
                    needed.add(m.group(1));
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("this host lacks libraries that the image's programs need: " + String.join(", ", missing));
        }
        return needed;
    }

    /**
     * The host path of library {@code name} in the first directory of {@code found} (paths ldd gave) that has it: where
     * the loader found libc, it finds the other system libraries.
     */
    static String besides(Set<String> found, String name, Path hostRoot) throws IOException {
        Set<String> dirs = new java.util.LinkedHashSet<>();
        found.forEach(f -> dirs.add(f.substring(0, f.lastIndexOf('/'))));
        for (String dir : dirs) {
            if (Files.exists(hostRoot.resolve(dir.substring(1)).resolve(name))) {
                return dir + "/" + name;
            }
        }
        throw new IOException("this host has no " + name + " beside " + dirs + " (a library the image's programs load)");
    }

    private static List<String> ldd(List<Path> files) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ldd"));
        files.forEach(f -> cmd.add(f.toAbsolutePath().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ldd did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running ldd", e);
        }
        // ldd exits 1 when one of several files is not dynamic ("statically linked"); the listing is still complete
        if (p.exitValue() != 0 && !out.contains("=>")) {
            throw new IOException("ldd failed (exit " + p.exitValue() + "): " + out.strip());
        }
        return out.lines().toList();
    }

    private static boolean isElf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }
}
