package io.slipway.bench;

import io.slipway.backbone.schema.ServiceMigrations;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A service's schema for a benchmark that runs its classes without the service around them: its own migrations (the
 * {@code db/migration} of the jar or directory holding {@code serviceClass}; several services' are on a benchmark's
 * class path, so scanning it would mix them), then the backbone's, as the service's startup does.
 */
final class ServiceSchema {
    private ServiceSchema() {
    }

    static void migrate(Class<?> serviceClass, String jdbcUrl, String user, String password, Path tmp) throws IOException {
        Path migrations = tmp.resolve("migrations-" + serviceClass.getSimpleName());
        Files.createDirectories(migrations);
        Path source;
        try {
            source = Path.of(serviceClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("where " + serviceClass.getName() + " comes from: " + e.getMessage(), e);
        }
        if (Files.isDirectory(source)) {
            copy(source.resolve("db/migration"), migrations);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(source)) {
                copy(jar.getPath("db/migration"), migrations);
            }
        }
        ServiceMigrations.migrate(jdbcUrl, user, password, "filesystem:" + migrations);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName().toString()));
            }
        }
    }
}
