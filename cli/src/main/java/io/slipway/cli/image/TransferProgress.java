package io.slipway.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import java.io.IOException;
import java.io.PrintStream;

/** Renders a push or pull's progress events (blob by blob) and returns its final summary, or fails with its error. */
final class TransferProgress {
    private TransferProgress() {
    }

    static JsonNode follow(PlatformClient api, String path, Object body, PrintStream out) {
        JsonNode[] done = new JsonNode[1];
        String[] error = new String[1];
        api.streamPost(path, body, line -> {
            if (line.startsWith("done ")) {
                try {
                    done[0] = PlatformClient.mapper().readTree(line.substring(5));
                } catch (IOException e) {
                    error[0] = "unreadable summary: " + line;
                }
            } else if (line.startsWith("error ")) {
                error[0] = line.substring(6);
            } else if (line.startsWith("blob ")) {
                String[] parts = line.split(" ");
                out.printf("%s: %s (%s)%n", parts[1], parts[2].replace('_', ' '), ImagesCommand.human(Long.parseLong(parts[3])));
            } else if (line.startsWith("progress ")) {
                String[] parts = line.split(" ");
                String[] nums = parts[2].split("/");
                long total = Math.max(1, Long.parseLong(nums[1]));
                out.printf("%s: %3d%%%n", parts[1], Long.parseLong(nums[0]) * 100 / total);
            } else if (line.startsWith("manifest ")) {
                out.println(line.substring("manifest ".length()));
            }
        });
        if (error[0] != null) {
            throw new UserError(error[0]);
        }
        if (done[0] == null) {
            throw new UserError("the transfer ended without a result");
        }
        return done[0];
    }
}
