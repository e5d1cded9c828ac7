package io.slipway.cli.stack;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Slipway source tree whose {@code services/<name>/target/quarkus-app/quarkus-run.jar} the stack launches:
 * {@code --home}, else the system property {@code slipway.home} (set by the {@code slipway} script), else the first
 * directory holding {@code services/} and {@code pom.xml} above the working directory or above the CLI's jar.
 */
public final class ProjectHome {
    public static final String PROPERTY = "slipway.home";

    private ProjectHome() {
    }

    public static Optional<Path> find(Path explicit) {
        if (explicit != null) {
            return Optional.of(explicit.toAbsolutePath().normalize());
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Optional.of(Path.of(property).toAbsolutePath().normalize());
        }
        return above(Path.of("").toAbsolutePath()).or(() -> codeLocation().flatMap(ProjectHome::above));
    }

    public static Path require(Path explicit) {
        return find(explicit).orElseThrow(() -> new IllegalStateException("cannot find the Slipway project (a directory"
                + " with services/ and pom.xml) above " + Path.of("").toAbsolutePath() + " or the CLI jar; pass --home"));
    }

    /** The run jar of a packaged service. */
    public static Path serviceJar(Path home, String service) {
        return home.resolve("services").resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static Optional<Path> above(Path start) {
        for (Path p = start.normalize(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("services")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> codeLocation() {
        try {
            var source = ProjectHome.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | SecurityException e) {
            return Optional.empty();
        }
    }
}
