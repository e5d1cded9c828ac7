package io.slipway.workload.cronhpa;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.cronhpa.CronHpaStatus.JobCondition;
import io.slipway.workload.ledger.Observation;
import io.slipway.workload.ledger.TransitionRecorder;
import io.slipway.workload.operator.KubeEvents;
import io.slipway.workload.operator.WorkloadConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles CronHorizontalPodAutoscalers: a thin edge around {@link CronHpaPlan}, which decides from the spec, the
 * last status and the clock. This class scales the target ({@link ScaleTargets}), writes an Event per run, records
 * each handled fire in the ledger (one {@code WorkloadTransitioned} per run, miss or restored floor), patches the
 * status subresource and wakes up at the next fire. An HPA target's changes wake it too, so a floor someone lowers
 * is restored at once.
 */
@jakarta.inject.Singleton
@ControllerConfiguration(name = "cronhpa")
public class CronHpaReconciler implements Reconciler<CronHorizontalPodAutoscaler> {
    private static final Logger LOG = Logger.getLogger(CronHpaReconciler.class);
    public static final String KIND = CronHorizontalPodAutoscaler.KIND;

    private final ScaleTargets targets;
    private final KubeEvents events;
    private final TransitionRecorder ledger;
    private final Clock clock;
    private final ZoneId defaultZone;
    private final Duration maxWait;

    public CronHpaReconciler(KubernetesClient client, TransitionRecorder ledger, Clock clock, WorkloadConfig config) {
        this.targets = new ScaleTargets(client);
        this.events = new KubeEvents(client, "cron-horizontal-pod-autoscaler");
        this.ledger = ledger;
        this.clock = clock;
        this.defaultZone = ZoneId.of(config.cronhpa().defaultTimeZone());
        this.maxWait = config.cronhpa().maxWait();
    }

    @Override
    public List<EventSource<?, CronHorizontalPodAutoscaler>> prepareEventSources(EventSourceContext<CronHorizontalPodAutoscaler> context) {
        // an HPA maps to the CronHPAs that target it (the primary cache is read: there are few CronHPAs per namespace)
        var hpas = new InformerEventSource<>(InformerEventSourceConfiguration.from(HorizontalPodAutoscaler.class, CronHorizontalPodAutoscaler.class)
                .withSecondaryToPrimaryMapper(hpa -> context.getPrimaryCache().list(hpa.getMetadata().getNamespace())
                        .filter(c -> c.getSpec() != null && c.getSpec().scaleTargetRef != null
                                && CronHpaValidation.HPA_KIND.equals(c.getSpec().scaleTargetRef.kind)
                                && hpa.getMetadata().getName().equals(c.getSpec().scaleTargetRef.name))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context);
        return List.of(hpas);
    }

    @Override
    public UpdateControl<CronHorizontalPodAutoscaler> reconcile(CronHorizontalPodAutoscaler cron, Context<CronHorizontalPodAutoscaler> context) {
        Instant now = clock.instant();
        String ns = cron.getMetadata().getNamespace();
        CronHpaSpec spec = cron.getSpec() == null ? new CronHpaSpec() : cron.getSpec();
        CronHpaStatus old = cron.getStatus();
        CronHpaPlan plan = CronHpaPlan.plan(spec, old, cron.getMetadata().getUid(), now, defaultZone);

        if (plan.message() != null && (old == null || !plan.message().equals(old.message))) {
            events.record(cron, "Warning", "InvalidSpec", plan.message(), now);
        }
        Map<String, Observation.Mark> marks = new LinkedHashMap<>();
        for (JobCondition c : plan.missed()) {
            events.record(cron, "Warning", CronHpaStatus.MISSED, c.message, now);
        }
        plan.run().ifPresent(run -> {
            ScaleTargets.Outcome outcome = targets.scale(ns, spec.scaleTargetRef, run.condition().name, run.targetSize());
            JobCondition c = run.condition();
            c.lastScheduleTime = run.fire().toString();
            c.lastProbeTime = now.toString();
            c.state = outcome.ok() ? CronHpaStatus.SUCCEED : CronHpaStatus.FAILED;
            c.failures = outcome.ok() ? null : (c.failures == null ? 1 : c.failures + 1);
            c.message = outcome.message();
            events.record(cron, outcome.ok() ? "Normal" : "Warning", c.state, outcome.message(), now);
            LOG.debugf("%s/%s: %s", ns, cron.getMetadata().getName(), outcome.message());
        });
        String floorHeld = null;
        if (plan.floor().isPresent() && ScaleTargets.isHpa(spec.scaleTargetRef)) {
            ScaleTargets.Outcome hold = targets.hold(ns, spec.scaleTargetRef, plan.activeJob(), plan.floor().get());
            if (hold.changed()) {
                floorHeld = hold.message();
                events.record(cron, "Normal", "FloorRestored", hold.message(), now);
            }
        }
        for (JobCondition c : plan.conditions()) {
            if (c.lastScheduleTime != null) {
                marks.put("job/" + c.name, new Observation.Mark(c.lastScheduleTime + " " + c.state + " " + Objects.toString(c.failures, "0"),
                        "CronJob" + c.state, c.message));
            }
        }
        if (floorHeld != null) {
            marks.put("floor", new Observation.Mark(now.toString(), "CronFloorRestored", floorHeld));
        }
        ledger.record(new Observation(cron.getMetadata().getUid(), KIND, ns, cron.getMetadata().getName(),
                Objects.requireNonNullElse(cron.getMetadata().getGeneration(), 0L), Map.of(), null,
                plan.message() == null ? "CronHpaActive" : "CronHpaInvalid", plan.message(), Observation.Words.PODS, marks));

        CronHpaStatus status = new CronHpaStatus();
        status.observedGeneration = cron.getMetadata().getGeneration();
        status.scaleTargetRef = spec.scaleTargetRef;
        status.excludeDates = spec.excludeDates.isEmpty() ? null : spec.excludeDates;
        status.timeZone = spec.timeZone == null ? defaultZone.getId() : spec.timeZone;
        status.activeJob = plan.activeJob();
        status.message = plan.message();
        status.conditions = plan.conditions();
        boolean changed = !Objects.equals(json(old), json(status));
        cron.setStatus(status);
        UpdateControl<CronHorizontalPodAutoscaler> control = changed ? UpdateControl.patchStatus(cron) : UpdateControl.noUpdate();
        Duration wait = plan.wake().map(w -> Duration.between(now, w)).filter(d -> d.compareTo(maxWait) < 0).orElse(maxWait);
        return control.rescheduleAfter(wait.isNegative() ? Duration.ofMillis(50) : wait.plusMillis(50));
    }

    private static String json(CronHpaStatus status) {
        return status == null ? null : Serialization.asJson(status);
    }
}
