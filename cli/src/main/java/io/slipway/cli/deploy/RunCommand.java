package io.slipway.cli.deploy;

import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway run IMAGE -m ip,... [-n ip,...]}: sealer's run, onto hosts over SSH. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a CloudImage on hosts: masters, then nodes, over SSH.")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;

    @Option(names = {"-m", "--masters"}, split = ",", required = true, paramLabel = "IP", description = "Master hosts, in order.")
    List<String> masters = new ArrayList<>();

    @Option(names = {"-n", "--nodes"}, split = ",", paramLabel = "IP", description = "Node hosts.")
    List<String> nodes = new ArrayList<>();

    @Option(names = {"-u", "--user"}, description = "SSH user (default root; others work through sudo).")
    String user;

    @Option(names = "--pk", paramLabel = "FILE", description = "SSH private key file (its content is sent to deploy-svc).")
    Path privateKey;

    @Option(names = {"-p", "--passwd"}, arity = "0..1", interactive = true, paramLabel = "PASSWORD",
            description = "SSH password; without a value it is asked for (or taken from $SLIPWAY_SSH_PASSWORD).")
    char[] password;

    @Option(names = "--port", description = "SSH port (default 22).")
    Integer port;

    @Option(names = "--name", defaultValue = "default", description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Cluster env (renders the image's *.tmpl files).")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--cmds", split = ",", paramLabel = "COMMAND",
            description = "Commands master0 runs at the end instead of the image's CMDS (the Clusterfile's spec.cmd).")
    List<String> cmds = new ArrayList<>();

    @Option(names = "--apps", split = ",", paramLabel = "APP",
            description = "Applications of the image to launch instead of its LAUNCH (spec.appNames); --apps '' launches none.")
    List<String> apps;

    @Option(names = "--detach", description = "Return once the run is accepted instead of following its progress.")
    boolean detach;

    @Mixin
    HostTrustOptions trust;

    @Override
    public Integer call() {
        Map<String, Object> body = request();
        PlatformClient client = platform.client();
        return DeployProgress.started(client, client.post("/api/v1/deploy/clusters/run", body), detach, System.out);
    }

    Map<String, Object> request() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("image", image);
        body.put("masters", masters);
        body.put("nodes", nodes);
        if (user != null) {
            body.put("user", user);
        }
        String pw = password != null && password.length > 0 ? new String(password) : System.getenv("SLIPWAY_SSH_PASSWORD");
        if (pw != null && !pw.isEmpty()) {
            body.put("password", pw);
        }
        if (privateKey != null) {
            try {
                body.put("privateKey", Files.readString(privateKey));
            } catch (IOException e) {
                throw new UserError("cannot read the private key " + privateKey + ": " + e.getMessage());
            }
        }
        if (!body.containsKey("password") && !body.containsKey("privateKey")) {
            throw new UserError("give SSH credentials: --pk FILE or -p (password)");
        }
        if (port != null) {
            body.put("port", port);
        }
        if (!env.isEmpty()) {
            body.put("env", env);
        }
        if (!cmds.isEmpty()) {
            body.put("cmd", cmds);
        }
        if (apps != null) {
            body.put("appNames", apps.isEmpty() ? List.of("") : apps);
        }
        List<String> all = new java.util.ArrayList<>(masters);
        if (nodes != null) {
            all.addAll(nodes);
        }
        trust.addTo(body, all);
        return body;
    }
}
