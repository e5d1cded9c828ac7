package io.slipway.cli.stack;

import java.util.List;

/** One of the five services: its name (module and log file) and its domain (database name, topic names). */
public record ServiceSpec(String name, String domain) {
    public static final List<ServiceSpec> ALL = List.of(
            new ServiceSpec("build-svc", "build"),
            new ServiceSpec("deploy-svc", "deploy"),
            new ServiceSpec("infra-svc", "infra"),
            new ServiceSpec("event-svc", "event"),
            new ServiceSpec("workload-svc", "workload"));
}
