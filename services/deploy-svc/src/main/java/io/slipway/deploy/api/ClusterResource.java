package io.slipway.deploy.api;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.deploy.cluster.ClusterProgress;
import io.slipway.deploy.cluster.ClusterProgress.ProgressEvent;
import io.slipway.deploy.cluster.ClusterView;
import io.slipway.deploy.cluster.ClusterAdmission.Requested;
import io.slipway.deploy.cluster.Clusters;
import io.slipway.deploy.clusterfile.HostKeys;
import io.slipway.deploy.operation.ClusterRequests;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Clusters over REST: sealer's run, apply, join, delete of hosts, reset and delete --all, status, and progress (SSE). */
@Path("/api/v1/deploy/clusters")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {
    private final ClusterRequests requests;
    private final Clusters clusters;
    private final ClusterProgress progress;

    ClusterResource(ClusterRequests requests, Clusters clusters, ClusterProgress progress) {
        this.requests = requests;
        this.clusters = clusters;
        this.progress = progress;
    }

    /** Body: the desired Clusterfile. 202 when there is work to do, 200 with {@code changed: false} when not. */
    @POST
    @Path("/apply")
    @RolesAllowed({"operator", "admin"})
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    public Uni<Response> apply(String clusterfile, @QueryParam("dryRun") @DefaultValue("false") boolean dryRun,
                               @HeaderParam("traceparent") String traceparent, @Context SecurityContext security) {
        if (dryRun) {
            return requests.plan(clusterfile).map(plan -> Response.ok(plan).build());
        }
        return answer(requests.apply(clusterfile, null, user(security), EventContext.newRequest(traceparent)));
    }

    @POST
    @Path("/run")
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> run(RunRequest run, @HeaderParam("traceparent") String traceparent, @Context SecurityContext security) {
        if (run == null) {
            throw new InvalidRequest("body", "a JSON object with image and masters is required");
        }
        return answer(requests.apply(run.toClusterfile(), null, user(security), EventContext.newRequest(traceparent)));
    }

    @POST
    @Path("/{name}/join")
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> join(@PathParam("name") String name, HostsRequest body, @HeaderParam("traceparent") String traceparent,
                              @Context SecurityContext security) {
        HostsRequest h = body == null ? new HostsRequest(null, null, null, null, null) : body;
        return answer(requests.join(name, h.mastersOrEmpty(), h.nodesOrEmpty(), HostKeys.given(h.hostKeys(),
                Boolean.TRUE.equals(h.trustOnFirstUse()), "hostKeys"), null, user(security), EventContext.newRequest(traceparent)));
    }

    @POST
    @Path("/{name}/remove")
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> remove(@PathParam("name") String name, HostsRequest body, @QueryParam("force") @DefaultValue("false") boolean force,
                                @HeaderParam("traceparent") String traceparent, @Context SecurityContext security) {
        HostsRequest h = body == null ? new HostsRequest(null, null, null, null, null) : body;
        return answer(requests.remove(name, h.allHosts(), force, null, user(security), EventContext.newRequest(traceparent)));
    }

    @POST
    @Path("/{name}/hosts/{ip}/reset")
    @RolesAllowed({"operator", "admin"})
    public Uni<Response> reset(@PathParam("name") String name, @PathParam("ip") String ip, @HeaderParam("traceparent") String traceparent,
                               @Context SecurityContext security) {
        return answer(requests.reset(name, List.of(ip), null, user(security), EventContext.newRequest(traceparent)));
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed({"operator", "admin"})
    public Uni<Response> delete(@PathParam("name") String name, @QueryParam("force") @DefaultValue("false") boolean force,
                                @HeaderParam("traceparent") String traceparent, @Context SecurityContext security) {
        return answer(requests.delete(name, force, null, user(security), EventContext.newRequest(traceparent)));
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<List<ClusterView>> list() {
        return clusters.list();
    }

    @GET
    @Path("/{name}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<ClusterView> get(@PathParam("name") String name) {
        return clusters.view(name);
    }

    /** Host steps as they happen, then the cluster's state; ends when the operation settles (at once if none runs). */
    @GET
    @Path("/{name}/progress")
    @RolesAllowed({"viewer", "operator", "admin"})
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<ProgressEvent> progress(@PathParam("name") String name) {
        return progress.watch(name, clusters.view(name));
    }

    private static Uni<Response> answer(Uni<Requested> requested) {
        return requested.map(r -> Response.status(r.changed() ? 202 : 200).entity(r.view()).build());
    }

    private static String user(SecurityContext security) {
        return security.getUserPrincipal() == null ? "anonymous" : security.getUserPrincipal().getName();
    }

    /** Hosts for join (by role, with their host keys or trust on first use) or remove. */
    public record HostsRequest(List<String> masters, List<String> nodes, List<String> hosts, Map<String, String> hostKeys,
                               Boolean trustOnFirstUse) {
        List<String> mastersOrEmpty() {
            return masters == null ? List.of() : masters;
        }

        List<String> nodesOrEmpty() {
            return nodes == null ? List.of() : nodes;
        }

        List<String> allHosts() {
            List<String> all = new java.util.ArrayList<>();
            if (hosts != null) {
                all.addAll(hosts);
            }
            all.addAll(mastersOrEmpty());
            all.addAll(nodesOrEmpty());
            return all;
        }
    }

    /** {@code slipway run}: an image onto masters and nodes with one ssh setting; becomes a v2 Clusterfile. */
    public record RunRequest(String name, String image, List<String> masters, List<String> nodes, String user, String password,
                             String privateKey, Integer port, Map<String, String> env, List<String> cmd, List<String> appNames,
                             Map<String, String> hostKeys, Boolean trustOnFirstUse) {

        String toClusterfile() {
            Map<String, Object> ssh = new java.util.LinkedHashMap<>();
            if (user != null) {
                ssh.put("user", user);
            }
            if (password != null) {
                ssh.put("passwd", password);
            }
            if (privateKey != null) {
                ssh.put("pk", privateKey);
            }
            if (port != null) {
                ssh.put("port", port);
            }
            List<Map<String, Object>> hosts = new java.util.ArrayList<>();
            if (masters != null && !masters.isEmpty()) {
                hosts.add(Map.of("ips", masters, "roles", List.of("master")));
            }
            if (nodes != null && !nodes.isEmpty()) {
                hosts.add(Map.of("ips", nodes, "roles", List.of("node")));
            }
            Map<String, Object> spec = new java.util.LinkedHashMap<>();
            spec.put("image", image == null ? "" : image);
            if (env != null && !env.isEmpty()) {
                spec.put("env", env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            }
            if (cmd != null && !cmd.isEmpty()) {
                spec.put("cmd", cmd);
            }
            if (appNames != null && !appNames.isEmpty()) {
                spec.put("appNames", appNames);
            }
            spec.put("ssh", ssh);
            spec.put("hosts", hosts);
            if (hostKeys != null && !hostKeys.isEmpty()) {
                spec.put("hostKeys", hostKeys);
            }
            if (Boolean.TRUE.equals(trustOnFirstUse)) {
                spec.put("trustOnFirstUse", true);
            }
            Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("apiVersion", "sealer.io/v2");
            doc.put("kind", "Cluster");
            doc.put("metadata", Map.of("name", name == null || name.isBlank() ? "default" : name));
            doc.put("spec", spec);
            org.yaml.snakeyaml.DumperOptions options = new org.yaml.snakeyaml.DumperOptions();
            options.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
            return new org.yaml.snakeyaml.Yaml(options).dump(doc);
        }
    }
}
