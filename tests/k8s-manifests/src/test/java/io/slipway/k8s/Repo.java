package io.slipway.k8s;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository the tests run in: found from the module's directory, where Surefire starts them. */
final class Repo {
    private Repo() {
    }

    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/k8s/overlays")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no deploy/k8s/overlays above " + Path.of("").toAbsolutePath());
    }

    static Path k8s() {
        return root().resolve("deploy/k8s");
    }
}
