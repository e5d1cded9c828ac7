package io.slipway.deploy.request;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.consume.CommandCallers;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.IdempotentConsumer;
import io.slipway.backbone.consume.PermanentEventFailure;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.deploy.clusterfile.ClusterfileException;
import io.slipway.deploy.clusterfile.HostKeys;
import io.slipway.deploy.operation.ClusterRequests;
import io.slipway.events.deploy.RequestDeploy;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import java.util.ArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * CI's way in: {@code RequestDeploy} commands on {@code slipway.deploy.requests} become cluster operations exactly
 * like REST requests; the request id makes a redelivered command one operation. A command that can never succeed (a
 * bad Clusterfile, an unknown cluster) goes to the DLQ with file, line and field in its reason; a busy cluster is
 * retried with backoff.
 */
@ApplicationScoped
public class DeployRequestsListener {
    public static final String TOPIC = "slipway.deploy.requests";

    /** The channel, configured in application.properties (topic, consumer group {@code deploy-svc.requests}). */
    static final String CHANNEL = "deploy-requests";

    private final ClusterRequests requests;
    private final IdempotentConsumer consumer;
    private final CommandCallers callers;

    DeployRequestsListener(ClusterRequests requests, IdempotentConsumer consumer, CommandCallers callers) {
        this.requests = requests;
        this.consumer = consumer;
        this.callers = callers;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        // the producer is who its token says, whatever the command's requestedBy field claims
        return consumer.consume(CHANNEL, record, event -> apply(event, callers.verify(record)));
    }

    Uni<Void> apply(ConsumedEvent event, String caller) {
        if (!"RequestDeploy".equals(event.eventType())) {
            throw new PermanentEventFailure("event type " + event.eventType() + " is not a deploy request (expected RequestDeploy)");
        }
        RequestDeploy c = event.as(RequestDeploy.class);
        if (c.getRequestId() == null || c.getRequestId().isBlank()) {
            throw new PermanentEventFailure("requestId: required (it makes a redelivered request one operation)");
        }
        EventContext context = EventContext.causedBy(event);
        try {
            Uni<?> done = switch (c.getOperation()) {
                case APPLY -> requests.apply(referencesOnly(c.getClusterfile()), c.getRequestId(), caller, context);
                case JOIN -> requests.join(c.getCluster(), new ArrayList<>(c.getMasters()), new ArrayList<>(c.getNodes()),
                        HostKeys.given(c.getHostKeys(), c.getTrustOnFirstUse(), "hostKeys"),
                        c.getRequestId(), caller, context);
                case REMOVE -> requests.remove(c.getCluster(), new ArrayList<>(c.getHosts()), c.getForce(), c.getRequestId(),
                        caller, context);
                case RESET -> requests.reset(c.getCluster(), new ArrayList<>(c.getHosts()), c.getRequestId(), caller, context);
                case DELETE -> requests.delete(c.getCluster(), c.getForce(), c.getRequestId(), caller, context);
            };
            return done.onFailure(this::permanent).transform(this::asPermanent).replaceWithVoid();
        } catch (RuntimeException e) {
            if (permanent(e)) {
                throw asPermanent(e);
            }
            throw e;
        }
    }

    /**
     * A Clusterfile sent on a topic names its secrets ({@code ${secret:<name>}}) and holds none: a topic is read by
     * every consumer and kept for days. One that holds a secret is refused, and its dead letter keeps no copy of it (the
     * original stays on this topic until retention removes it; the reason says what to change, never the value).
     */
    static String referencesOnly(String clusterfileYaml) {
        java.util.List<String> inline;
        try {
            inline = Clusterfile.parse(clusterfileYaml == null ? "" : clusterfileYaml, "Clusterfile").inlineSecrets();
        } catch (ClusterfileException e) {
            return clusterfileYaml; // the request's own checks say what is wrong, at its line
        }
        if (!inline.isEmpty()) {
            throw PermanentEventFailure.withholdingPayload("Clusterfile: " + String.join(", ", inline) + ": a secret sent on "
                    + TOPIC + " must be named, not given: store it with `slipway secret set <name>` (or PUT /api/v1/deploy/secrets/"
                    + "<name>) and write ${secret:<name>} in its place");
        }
        return clusterfileYaml;
    }

    private boolean permanent(Throwable e) {
        return e instanceof ClusterfileException || e instanceof InvalidRequest || e instanceof NotFoundException;
    }

    private RuntimeException asPermanent(Throwable e) {
        String reason = e instanceof InvalidRequest i ? i.field() + ": " + i.getMessage() : e.getMessage();
        return new PermanentEventFailure(reason);
    }
}
