package io.slipway.cli.image;

import io.slipway.cli.api.PlatformOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway save -o FILE IMAGE...}: an OCI archive (skopeo and other OCI tools read it as oci-archive:FILE). */
@Command(name = "save", mixinStandardHelpOptions = true, description = "Save images to an OCI archive file.")
public final class SaveCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE")
    Path output;

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<String> images;

    @Override
    public Integer call() throws Exception {
        String query = images.stream().map(i -> "name=" + InspectCommand.q(i)).collect(Collectors.joining("&"));
        platform.client().download("/api/v1/images/save?" + query, output);
        System.out.printf("saved %d image(s) to %s (%s)%n", images.size(), output, ImagesCommand.human(Files.size(output)));
        return 0;
    }
}
