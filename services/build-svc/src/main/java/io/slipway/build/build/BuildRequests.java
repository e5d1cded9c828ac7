package io.slipway.build.build;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.events.build.BuildRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.UUID;

/** Records build requests: the Build row and its BuildRequested event in one transaction. */
@ApplicationScoped
public class BuildRequests {
    private final Outbox outbox;

    BuildRequests(Outbox outbox) {
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<Build> request(BuildRequest request, String requestedBy, EventContext context) {
        request.validate();
        Build build = new Build();
        build.id = UUID.randomUUID().toString();
        build.image = request.image();
        build.kubefile = request.kubefileOrDefault();
        build.context = request.context();
        build.buildArgs = new HashMap<>(request.buildArgs());
        build.state = Build.State.Requested;
        build.requestedBy = requestedBy;
        build.requestedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        build.correlationId = context.correlationId();
        BuildRequested event = BuildRequested.newBuilder()
                .setBuildId(build.id).setImage(build.image).setKubefile(build.kubefile).setContext(build.context)
                .setPlatforms(request.platforms()).setBuildArgs(request.buildArgs())
                .setRequestedBy(requestedBy).setRequestedAt(build.requestedAt).build();
        return Panache.getSession().chain(s -> s.persist(build))
                .chain(() -> outbox.append(build.id, event, context))
                .replaceWith(build);
    }

    @WithTransaction
    public Uni<Build> find(String id) {
        return Panache.getSession().chain(s -> s.find(Build.class, id));
    }

    @WithTransaction
    public Uni<java.util.List<Build>> list(int limit) {
        return Panache.getSession().chain(s -> s.createQuery("from Build order by requestedAt desc", Build.class)
                .setMaxResults(limit).getResultList());
    }
}
