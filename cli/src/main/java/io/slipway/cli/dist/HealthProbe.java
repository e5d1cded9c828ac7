package io.slipway.cli.dist;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * A health probe for runtimes that probe by running a command (docker-compose's {@code healthcheck}): the images have
 * no shell and no curl, so the base image carries this class as {@code /opt/slipway/probe.jar}. Exit 0 when the URL
 * answers 2xx within the timeouts, 1 otherwise. Only {@code java.base}, so it starts in a fraction of a second.
 */
public final class HealthProbe {

    private HealthProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -jar /opt/slipway/probe.jar http://127.0.0.1:8080/q/health/ready");
            System.exit(2);
        }
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(args[0]).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            int status = c.getResponseCode();
            System.out.println(args[0] + ": " + status);
            System.exit(status >= 200 && status < 300 ? 0 : 1);
        } catch (IOException | IllegalArgumentException e) {
            System.out.println(args[0] + ": " + e);
            System.exit(1);
        }
    }
}
