package io.slipway.provision.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The paths each local host has to itself ({@code /var/lib/slipway}, {@code /etc/slipway}, {@code /tmp},
 * {@code /root}, {@code /home}, {@code /opt}, {@code /run/slipway}, {@code /usr/local/bin}), kept on the machine under
 * {@code <hostDir>/fs/<name>} and laid over their paths in the host's own mount namespace; the rest of the filesystem
 * is the machine's.
 */
public final class PrivateFilesystem {
    /** Paths private to each host, and the directory name each is kept under on the machine. */
    public static final Map<String, String> PATHS = Map.of("/var/lib/slipway", "var-lib-slipway", "/etc/slipway", "etc-slipway",
            "/tmp", "tmp", "/root", "root", "/home", "home", "/opt", "opt", "/run/slipway", "run-slipway",
            "/usr/local/bin", "usr-local-bin");

    private final Path hostDir;

    public PrivateFilesystem(Path hostDir) {
        this.hostDir = hostDir;
    }

    /** The machine-side directory kept for the private path named {@code privateName} (a value of {@link #PATHS}). */
    public Path dir(String privateName) {
        return hostDir.resolve("fs").resolve(privateName);
    }

    /** The machine-side path of a file in the host's private filesystem. */
    public Path path(String inHost) {
        for (Map.Entry<String, String> e : PATHS.entrySet()) {
            String prefix = e.getKey();
            if (inHost.equals(prefix) || inHost.startsWith(prefix + "/")) {
                return dir(e.getValue()).resolve(inHost.substring(prefix.length()).replaceFirst("^/", ""));
            }
        }
        throw new IllegalArgumentException(inHost + " is not in a host's private filesystem " + PATHS.keySet());
    }

    /** Makes the machine-side directories ({@code /tmp} world-writable with the sticky bit off, as the hosts had it). */
    public void create() throws IOException {
        for (String privateDir : PATHS.values()) {
            Files.createDirectories(dir(privateDir));
        }
        Files.setPosixFilePermissions(dir("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    /**
     * Shell lines that, run as root of a fresh mount namespace, lay each private directory over its path without
     * changing the machine: a path the machine lacks is made in a tmpfs laid over its parent that shows the parent's
     * entries again (each bound back from a bind of the original), so no host leaves {@code /var/lib/slipway} and its
     * like behind (which would also hide this path from the next run). {@code mount -n} everywhere: libmount would
     * otherwise record each mount in {@code /run/mount/utab}, creating {@code /run/mount} on the machine (the first
     * mount runs before {@code /run} is shadowed) and again in the tmpfs laid over {@code /run}, where the entry bound
     * back from the machine then collided with it ("mkdir: cannot create directory '/run/mount': File exists", the
     * first run on a new machine). Entries are bound back only when missing, and one that vanished meanwhile is
     * skipped, so a directory appearing or disappearing in a shadowed parent while the host starts cannot fail it.
     */
    public String mountScript() {
        StringBuilder script = new StringBuilder("""
                set -e
                H='%s'
                shadow() {
                  keep="$H/.shadow$1"; mkdir -p "$keep"; mount -n --rbind "$1" "$keep"
                  mount -n -t tmpfs -o mode=755 slipway-host "$1"
                  for e in "$keep"/* "$keep"/.[!.]* "$keep"/..?*; do
                    [ -e "$e" ] || [ -L "$e" ] || continue
                    n="${e##*/}"
                    if [ -L "$e" ]; then [ -e "$1/$n" ] || [ -L "$1/$n" ] || cp -P "$e" "$1/$n"
                    elif [ -d "$e" ]; then mkdir -p "$1/$n"; mount -n --rbind "$e" "$1/$n" || [ ! -e "$e" ]
                    else [ -e "$1/$n" ] || : > "$1/$n"; mount -n --bind "$e" "$1/$n" || [ ! -e "$e" ]; fi
                  done
                }
                private() {
                  if [ ! -d "$1" ]; then shadow "${1%%/*}"; mkdir -p "$1"; fi
                  mount -n --bind "$2" "$1"
                }
                """.formatted(hostDir));
        PATHS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                script.append("private '").append(e.getKey()).append("' '").append(dir(e.getValue())).append("'\n"));
        return script.toString();
    }
}
