package io.slipway.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.slipway.workload.kruise.KruiseResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s/crds is generated from the Java model and must match it: a field added to the model and not to the CRDs
 * would be pruned by a real API server. {@code -Dslipway.crds.update=true} rewrites the files.
 */
class CustomResourceDefinitionsTest {
    static final Path CRDS = Path.of("../../deploy/k8s/crds");

    @Test
    void theCheckedInCrdsAreTheOnesTheModelGenerates() throws IOException {
        Path generated = Files.createDirectories(Path.of("target/crds"));
        new CRDGenerator().inOutputDir(generated.toFile()).forCRDVersions("v1").withParallelGenerationEnabled(false)
                .customResourceClasses(KruiseResources.ALL).generate();
        List<Path> files;
        try (Stream<Path> s = Files.list(generated)) {
            files = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        if (Boolean.getBoolean("slipway.crds.update")) {
            Files.createDirectories(CRDS);
            for (Path f : files) {
                Files.copy(f, CRDS.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Path f : files) {
            Path checkedIn = CRDS.resolve(f.getFileName());
            assertThat(checkedIn).as("%s is missing; run the test with -Dslipway.crds.update=true", checkedIn).exists();
            assertThat(Files.readString(checkedIn)).as("%s differs from what the model generates; run this test with -Dslipway.crds.update=true",
                    checkedIn).isEqualTo(Files.readString(f));
        }
    }
}
