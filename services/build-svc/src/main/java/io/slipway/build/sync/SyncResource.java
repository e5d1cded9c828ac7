package io.slipway.build.sync;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.slipway.oci.sync.SyncRules;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
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
import jakarta.ws.rs.core.UriInfo;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** Sync jobs over REST: the rules (image-syncer's YAML) are checked at once (400 naming the line), then run in the background. */
@Path("/api/v1/images/syncs")
@Produces(MediaType.APPLICATION_JSON)
public class SyncResource {
    private static final Pattern PASSWORD = Pattern.compile("(?m)^(\\s*[\"']?password[\"']?\\s*:\\s*).*$");

    private final SyncJobs jobs;
    private final SyncRunner runner;

    SyncResource(SyncJobs jobs, SyncRunner runner) {
        this.jobs = jobs;
        this.runner = runner;
    }

    @POST
    @RolesAllowed({"operator", "admin"})
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    public Uni<Response> request(String rules, @Context SecurityContext security, @HeaderParam("traceparent") String traceparent,
                                 @Context UriInfo uri) {
        if (rules == null || rules.isBlank()) {
            throw new InvalidRequest("body", "the sync rules (image-syncer YAML) are required");
        }
        try {
            SyncRules.parse(rules, "rules", System::getenv);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("rules", e.getMessage());
        }
        return jobs.request(redact(rules), security.getUserPrincipal().getName(), EventContext.newRequest(traceparent))
                .invoke(job -> runner.keepRules(job.id, rules))
                .invoke(job -> runner.submit(job.id))
                .map(job -> Response.accepted(SyncView.of(job)).location(uri.getAbsolutePathBuilder().path(job.id).build()).build());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<SyncView> get(@PathParam("id") String id) {
        return jobs.find(id).map(job -> {
            if (job == null) {
                throw NotFound.of("sync job", id);
            }
            return SyncView.of(job);
        });
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<List<SyncView>> list(@QueryParam("limit") @DefaultValue("100") int limit) {
        return jobs.list(Math.max(1, Math.min(limit, 1000))).map(l -> l.stream().map(SyncView::of).toList());
    }

    static String redact(String rules) {
        return PASSWORD.matcher(rules).replaceAll("$1\"***\"");
    }

    /** What clients see of a sync job. */
    public record SyncView(String id, String state, String requestedBy, String requestedAt, String finishedAt, int synced,
                           int skipped, int failed, List<String> failures, long bytesCopied, String rules) {
        static SyncView of(SyncJob j) {
            return new SyncView(j.id, j.state.name(), j.requestedBy, j.requestedAt.toString(),
                    j.finishedAt == null ? null : j.finishedAt.toString(), j.synced, j.skipped, j.failedCount,
                    j.failures == null || j.failures.isEmpty() ? List.of() : Arrays.asList(j.failures.split("\n")), j.bytesCopied,
                    j.redactedRules);
        }
    }
}
