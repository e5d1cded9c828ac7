package io.slipway.workload.component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.slipway.workload.operator.KubeEvents;
import io.slipway.workload.kruise.Conditions;
import io.slipway.workload.kruise.statefulset.AdvancedStatefulSet;
import io.slipway.workload.ledger.Observation;
import io.slipway.workload.ledger.TransitionRecorder;
import io.slipway.workload.operator.WorkloadConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles Components: resolves the templates, renders the children ({@link ComponentRender}), decides how far the
 * release goes ({@link GrayRelease}), writes the children, and reports status, Events and transitions. Children are
 * written only when what the controller would write changed (a hash of it is kept on each child), so a person's
 * {@code kubectl scale} of a component without {@code spec.replicas}, or an HPA's, is kept.
 */
@jakarta.inject.Singleton
// release actions and the unmanaged annotation change no generation: every change of the component is looked at
@ControllerConfiguration(name = "component", generationAwareEventProcessing = false)
public class ComponentReconciler implements Reconciler<Component> {
    private static final Logger LOG = Logger.getLogger(ComponentReconciler.class);
    static final String APPLIED = Component.GROUP + "/applied";
    static final String STABLE_TEMPLATE = Component.GROUP + "/stable-template";
    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final ResourceDefinitionContext DEPLOYMENTS = context("apps", "v1", "deployments", "Deployment");
    private static final ResourceDefinitionContext STATEFULSETS = context("apps", "v1", "statefulsets", "StatefulSet");
    private static final ResourceDefinitionContext ADVANCED = context(AdvancedStatefulSet.GROUP, "v1beta1", "statefulsets", AdvancedStatefulSet.KIND);
    private static final ResourceDefinitionContext SERVICES = context("", "v1", "services", "Service");
    private static final ResourceDefinitionContext INGRESSES = context("networking.k8s.io", "v1", "ingresses", "Ingress");

    private final KubernetesClient client;
    private final KubeEvents events;
    private final TransitionRecorder ledger;
    private final Clock clock;
    private final String cluster;
    private final String templateNamespace;
    private final RolloutLimiter limiter;
    private final Duration maxWait;
    private final String shard;
    private final StorageVersions storage;
    private InformerEventSource<ConfigMap, Component> templates;

    @jakarta.inject.Inject
    public ComponentReconciler(KubernetesClient client, TransitionRecorder ledger, Clock clock, WorkloadConfig config) {
        this(client, ledger, clock, config, config.cluster());
    }

    /** The controller of cluster {@code cluster}, reached through {@code client} (its cluster template is {@code cluster}'s). */
    public ComponentReconciler(KubernetesClient client, TransitionRecorder ledger, Clock clock, WorkloadConfig config, String cluster) {
        this.client = client;
        this.events = new KubeEvents(client, "component-controller");
        this.ledger = ledger;
        this.clock = clock;
        this.cluster = cluster;
        this.templateNamespace = config.component().templateNamespace();
        this.limiter = new RolloutLimiter(clock, config.component().templateRolloutsPerMinute());
        this.maxWait = config.component().maxWait();
        this.shard = config.component().controllerId().orElse("default");
        this.storage = new StorageVersions(client, clock);
    }

    @Override
    public List<EventSource<?, Component>> prepareEventSources(EventSourceContext<Component> context) {
        templates = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, Component.class)
                .withNamespaces(Set.of(templateNamespace)).withLabelSelector(Templates.KIND_LABEL)
                // a template maps to every component it applies to
                .withSecondaryToPrimaryMapper(cm -> context.getPrimaryCache().list().filter(c -> uses(c, cm))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context);
        var deployments = new InformerEventSource<>(InformerEventSourceConfiguration.from(Deployment.class, Component.class)
                .withLabelSelector(ComponentRender.NAME_LABEL).withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Component.class)).build(), context);
        var statefulSets = new InformerEventSource<>(InformerEventSourceConfiguration.from(StatefulSet.class, Component.class)
                .withLabelSelector(ComponentRender.NAME_LABEL).withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Component.class)).build(), context);
        var advanced = new InformerEventSource<>(InformerEventSourceConfiguration.from(AdvancedStatefulSet.class, Component.class)
                .withLabelSelector(ComponentRender.NAME_LABEL).withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Component.class)).build(), context);
        return List.of(templates, deployments, statefulSets, advanced);
    }

    private boolean uses(Component c, ConfigMap cm) {
        Map<String, String> labels = cm.getMetadata().getLabels();
        if (labels == null || c.getSpec() == null) {
            return false;
        }
        String kind = labels.get(Templates.KIND_LABEL);
        String name = labels.get(Templates.NAME_LABEL);
        return switch (kind == null ? "" : kind) {
            case "workload" -> Objects.equals(name, c.getSpec().workloadType);
            case "language" -> Objects.equals(name, c.getSpec().developLanguage);
            case "cluster" -> Objects.equals(name, cluster);
            default -> false;
        };
    }

    @Override
    public UpdateControl<Component> reconcile(Component component, Context<Component> context) {
        Instant now = clock.instant();
        String ns = component.getMetadata().getNamespace();
        String name = component.getMetadata().getName();
        ComponentStatus old = component.getStatus();
        ComponentStatus status = new ComponentStatus();
        status.observedGeneration = component.getMetadata().getGeneration();
        status.shard = shard;
        status.storedVersion = StorageVersions.STORAGE; // this status write stores the object in the storage version
        if (old != null) {
            status.templateHash = old.templateHash;
            status.templates = old.templates;
            status.release = old.release;
            status.conditions = old.conditions;
        }
        Duration wake = null;
        String action = annotation(component, Component.RELEASE_ACTION);
        boolean consumed = false;

        if ("true".equals(annotation(component, Component.UNMANAGED))) {
            status.phase = "Unmanaged";
            status.message = "annotation " + Component.UNMANAGED + "=true: the controller leaves this component and its children alone";
        } else {
            List<String> problems = ComponentValidation.check(component.getSpec());
            Templates.Resolved resolved = problems.isEmpty() ? Templates.resolve(component.getSpec(), cluster,
                    templates.list(templateNamespace).toList()) : null;
            if (resolved != null && resolved.problem() != null) {
                problems = List.of(resolved.problem());
            }
            if (!problems.isEmpty()) {
                status.phase = "Invalid";
                status.message = String.join("; ", problems);
            } else {
                boolean templateOnly = old != null && old.templateHash != null && !old.templateHash.equals(resolved.hash())
                        && Objects.equals(old.observedGeneration, component.getMetadata().getGeneration());
                Duration queued = templateOnly ? limiter.tryAcquire() : Duration.ZERO;
                if (!queued.isZero()) {
                    status.phase = "Queued";
                    status.message = "a template changed (" + String.join(", ", resolved.layers().stream().map(Templates.Layer::source).toList())
                            + "): waiting for a rollout slot (" + limiter.perMinute() + " components a minute)";
                    wake = queued;
                } else {
                    status.templateHash = resolved.hash();
                    status.templates = resolved.layers().stream().map(Templates.Layer::source).toList();
                    var rendered = ComponentRender.render(ns, name, component.getSpec(), resolved);
                    var outcome = new Children(component, rendered, context).apply(action, now);
                    consumed = outcome.plan().actionConsumed();
                    status.release = outcome.plan().status();
                    status.workload = rendered.kind() + "/" + name;
                    status.replicas = outcome.replicas();
                    status.readyReplicas = outcome.ready();
                    status.updatedReplicas = outcome.updated();
                    status.phase = switch (status.release.phase) {
                        case GrayRelease.SUCCEEDED -> outcome.ready() >= outcome.replicas() ? "Ready" : "Progressing";
                        case GrayRelease.ABORTED -> "Aborted";
                        case GrayRelease.PAUSED, GrayRelease.STEP_PAUSED -> "Paused";
                        default -> "Releasing";
                    };
                    status.message = status.release.message;
                    if (outcome.plan().event() != null) {
                        events.record(component, outcome.plan().event().equals("ReleaseAborted") ? "Warning" : "Normal", outcome.plan().event(),
                                status.release.message == null ? "revision " + status.release.revision : status.release.message, now);
                    }
                    wake = outcome.plan().wake().map(w -> Duration.between(now, w)).orElse(null);
                }
            }
        }
        if (old == null || !Objects.equals(old.phase, status.phase) || "Invalid".equals(status.phase) && !Objects.equals(old.message, status.message)) {
            events.record(component, "Invalid".equals(status.phase) ? "Warning" : "Normal", "Phase" + status.phase,
                    status.message == null ? "phase " + status.phase : status.message, now);
        }
        status.conditions = new java.util.ArrayList<>(status.conditions);
        Conditions.set(status.conditions, "Ready", "Ready".equals(status.phase) ? "True" : "False", status.phase,
                status.message == null ? "" : status.message, now, status.observedGeneration);
        if (action != null && (consumed || "Unmanaged".equals(status.phase) || "Invalid".equals(status.phase))) {
            consumeAction(component, action);
        }
        Map<String, Observation.Mark> marks = new LinkedHashMap<>();
        if (status.release != null && status.release.revision != null) {
            marks.put("release", new Observation.Mark(status.release.revision + " " + status.release.phase + " " + status.release.step,
                    "Release" + status.release.phase, status.release.message));
        }
        ledger.record(new Observation(component.getMetadata().getUid(), Component.KIND, ns, name,
                Objects.requireNonNullElse(component.getMetadata().getGeneration(), 0L), Map.of(),
                status.release == null ? null : status.release.revision, "Component" + status.phase, status.message,
                Observation.Words.PODS, marks));

        if ("default".equals(shard) && storage.pending()) {
            storage.check();
            // look again while objects may still be stored as v1alpha1, so the migration finishes without another change
            Duration again = StorageVersions.EVERY.compareTo(maxWait) < 0 ? StorageVersions.EVERY : maxWait;
            wake = wake == null || wake.compareTo(again) > 0 ? again : wake;
        }
        boolean changed = !Objects.equals(json(old), json(status));
        component.setStatus(status);
        UpdateControl<Component> control = changed ? UpdateControl.patchStatus(component) : UpdateControl.noUpdate();
        if (wake != null) {
            wake = wake.compareTo(maxWait) > 0 ? maxWait : wake;
            control.rescheduleAfter(wake.isNegative() ? Duration.ofMillis(50) : wake.plusMillis(50));
        }
        return control;
    }

    /** What writing the children found: the release plan, and the workload's size, ready and updated pods. */
    record Outcome(GrayRelease.Plan plan, int replicas, int ready, int updated) {
    }

    /** One reconcile's children: the workload (and a canary), the Service, the Ingress. */
    private final class Children {
        private final Component component;
        private final ComponentRender.Rendered rendered;
        private final Context<Component> context;
        private final String ns;
        private final String name;

        Children(Component component, ComponentRender.Rendered rendered, Context<Component> context) {
            this.component = component;
            this.rendered = rendered;
            this.context = context;
            this.ns = component.getMetadata().getNamespace();
            this.name = component.getMetadata().getName();
        }

        Outcome apply(String action, Instant now) {
            Outcome outcome = "Deployment".equals(rendered.kind()) ? deployment(action, now) : partitioned(action, now);
            single(SERVICES, rendered.service());
            single(INGRESSES, rendered.ingress());
            return outcome;
        }

        /** A child named as the component: written as rendered, or deleted when the component has none (null). */
        private void single(ResourceDefinitionContext ctx, ObjectNode desired) {
            GenericKubernetesResource live = client.genericKubernetesResources(ctx).inNamespace(ns).withName(name).get();
            if (desired != null) {
                write(ctx, desired, false, live);
            } else {
                delete(ctx, live);
            }
        }

        /** StatefulSet and Advanced StatefulSet: one workload, the partition sets how many pods run the new revision. */
        private Outcome partitioned(String action, Instant now) {
            boolean advanced = AdvancedStatefulSet.KIND.equals(rendered.kind()) && rendered.apiVersion().equals(AdvancedStatefulSet.API_VERSION);
            ResourceDefinitionContext ctx = advanced ? ADVANCED : STATEFULSETS;
            GenericKubernetesResource live = client.genericKubernetesResources(ctx).inNamespace(ns).withName(name).get();
            JsonNode liveTree = live == null ? null : JSON.valueToTree(live);
            int n = component.getSpec().replicas != null ? component.getSpec().replicas
                    : liveTree == null ? 1 : liveTree.path("spec").path("replicas").asInt(1);
            boolean liveIsNew = liveTree != null && rendered.revision().equals(liveTree.path("spec").path("template").path("metadata").path("labels")
                    .path(ComponentRender.REVISION_LABEL).asText());
            JsonNode st = liveTree == null ? null : liveTree.path("status");
            int ready = st == null ? 0 : st.path("readyReplicas").asInt(0);
            int updatedReady = !liveIsNew || st == null ? 0 : advanced ? st.path("updatedReadyReplicas").asInt(0)
                    : Math.min(st.path("updatedReplicas").asInt(0), ready);
            if (liveTree != null && st.path("observedGeneration").asLong(0) < liveTree.path("metadata").path("generation").asLong(0)) {
                updatedReady = 0; // the set has not seen its last change yet: its counts are of the template before
            }
            GrayRelease.Plan plan = GrayRelease.plan(component.getSpec(), rendered.revision(), component.getStatus() == null ? null
                    : component.getStatus().release, new GrayRelease.Observed(n, updatedReady), action, now);
            ObjectNode desired = rendered.workload().deepCopy();
            ObjectNode spec = (ObjectNode) desired.get("spec");
            String stable = liveTree == null ? null : liveTree.path("metadata").path("annotations").path(STABLE_TEMPLATE).asText(null);
            if (!plan.useNewTemplate() && stable != null) {
                spec.set("template", read(stable)); // aborted: every pod back to the stable template
            }
            ObjectNode rolling = spec.with("updateStrategy").put("type", "RollingUpdate").with("rollingUpdate");
            rolling.put("partition", plan.useNewTemplate() ? Math.max(0, n - plan.updatedPods()) : 0);
            String stableTemplate = GrayRelease.SUCCEEDED.equals(plan.status().phase) ? rendered.podTemplate().toString() : stable;
            if (stableTemplate != null) {
                ((ObjectNode) desired.get("metadata")).with("annotations").put(STABLE_TEMPLATE, stableTemplate);
            }
            write(ctx, desired, component.getSpec().replicas == null, live);
            int updated = st == null || !liveIsNew ? 0 : st.path("updatedReplicas").asInt(0);
            return new Outcome(plan, n, ready, updated);
        }

        /** Deployment: the stable Deployment, and during a gray step a canary Deployment with the new revision's pods. */
        private Outcome deployment(String action, Instant now) {
            var stableRes = client.genericKubernetesResources(DEPLOYMENTS).inNamespace(ns).withName(name);
            var canaryRes = client.genericKubernetesResources(DEPLOYMENTS).inNamespace(ns).withName(name + "-canary");
            GenericKubernetesResource stableLive = stableRes.get();
            GenericKubernetesResource canaryLive = canaryRes.get();
            JsonNode stable = tree(stableLive);
            JsonNode canary = tree(canaryLive);
            int liveTotal = (stable == null ? 0 : stable.path("spec").path("replicas").asInt(1)) + (canary == null ? 0 : canary.path("spec").path("replicas").asInt(0));
            int n = component.getSpec().replicas != null ? component.getSpec().replicas : stable == null ? 1 : liveTotal;
            boolean stableIsNew = stable != null && rendered.revision().equals(revisionOf(stable));
            boolean canaryIsNew = canary != null && rendered.revision().equals(revisionOf(canary));
            int updatedReady = stableIsNew ? stable.path("status").path("readyReplicas").asInt(0)
                    : canaryIsNew ? canary.path("status").path("readyReplicas").asInt(0) : 0;
            GrayRelease.Plan plan = GrayRelease.plan(component.getSpec(), rendered.revision(), component.getStatus() == null ? null
                    : component.getStatus().release, new GrayRelease.Observed(n, updatedReady), action, now);
            ObjectNode desired = rendered.workload().deepCopy();
            boolean whole = plan.useNewTemplate() && plan.updatedPods() >= n;
            if (whole || stable == null) {
                ((ObjectNode) desired.get("spec")).put("replicas", n);
                write(DEPLOYMENTS, desired, false, stableLive);
                delete(DEPLOYMENTS, canaryLive);
            } else {
                int canaryPods = plan.useNewTemplate() ? plan.updatedPods() : 0;
                ObjectNode keep = (ObjectNode) desired.get("spec");
                keep.set("template", stable.path("spec").path("template").deepCopy()); // the stable pods stay as they are
                keep.put("replicas", n - canaryPods);
                write(DEPLOYMENTS, desired, false, stableLive);
                if (canaryPods > 0) {
                    ObjectNode c = rendered.workload().deepCopy();
                    ((ObjectNode) c.get("metadata")).put("name", name + "-canary");
                    ObjectNode cs = (ObjectNode) c.get("spec");
                    cs.put("replicas", canaryPods);
                    ((ObjectNode) cs.path("selector").path("matchLabels")).put(ComponentRender.TRACK_LABEL, "canary");
                    ((ObjectNode) cs.path("template").path("metadata").path("labels")).put(ComponentRender.TRACK_LABEL, "canary");
                    write(DEPLOYMENTS, c, false, canaryLive);
                } else {
                    delete(DEPLOYMENTS, canaryLive);
                }
            }
            int ready = (stable == null ? 0 : stable.path("status").path("readyReplicas").asInt(0))
                    + (canary == null ? 0 : canary.path("status").path("readyReplicas").asInt(0));
            return new Outcome(plan, n, ready, updatedReady);
        }

        /**
         * Creates or replaces a child owned by the component, unless what it would write is what it wrote last (the
         * hash under {@value #APPLIED}); {@code live} is the child as this reconcile read it (null: there is none);
         * {@code keepReplicas}: the live replicas stay (someone else sizes it).
         */
        private void write(ResourceDefinitionContext ctx, ObjectNode desired, boolean keepReplicas, GenericKubernetesResource live) {
            ObjectNode metadata = (ObjectNode) desired.get("metadata");
            metadata.putArray("ownerReferences").addObject().put("apiVersion", Component.API_VERSION).put("kind", Component.KIND)
                    .put("name", name).put("uid", component.getMetadata().getUid()).put("controller", true).put("blockOwnerDeletion", true);
            if (keepReplicas && live != null) {
                ((ObjectNode) desired.get("spec")).remove("replicas");
            }
            String hash = ComponentRender.hash(desired);
            metadata.with("annotations").put(APPLIED, hash);
            if (live == null) {
                client.genericKubernetesResources(ctx).inNamespace(ns).resource(JSON.convertValue(desired, GenericKubernetesResource.class)).create();
                return;
            }
            Map<String, String> annotations = live.getMetadata().getAnnotations();
            if (annotations != null && hash.equals(annotations.get(APPLIED))) {
                return;
            }
            ObjectNode replacement = desired.deepCopy();
            JsonNode liveTree = JSON.valueToTree(live);
            if (keepReplicas && liveTree.path("spec").has("replicas")) {
                ((ObjectNode) replacement.get("spec")).set("replicas", liveTree.path("spec").get("replicas"));
            }
            if (liveTree.has("status")) {
                replacement.set("status", liveTree.get("status"));
            }
            if (SERVICES == ctx && liveTree.path("spec").has("clusterIP")) {
                ((ObjectNode) replacement.get("spec")).set("clusterIP", liveTree.path("spec").get("clusterIP"));
            }
            ((ObjectNode) replacement.get("metadata")).put("resourceVersion", live.getMetadata().getResourceVersion());
            client.genericKubernetesResources(ctx).inNamespace(ns).resource(JSON.convertValue(replacement, GenericKubernetesResource.class)).update();
        }

        /** Deletes {@code live} (as this reconcile read it) if it is there and this component owns it. */
        private void delete(ResourceDefinitionContext ctx, GenericKubernetesResource live) {
            if (live != null && live.getMetadata().getOwnerReferences() != null && live.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> component.getMetadata().getUid().equals(o.getUid()))) {
                client.genericKubernetesResources(ctx).inNamespace(ns).withName(live.getMetadata().getName()).delete();
            }
        }
    }

    private void consumeAction(Component component, String action) {
        try {
            client.resources(Component.class).inNamespace(component.getMetadata().getNamespace()).withName(component.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON), """
                            [{"op":"test","path":"/metadata/annotations/%s","value":"%s"},
                             {"op":"remove","path":"/metadata/annotations/%s"}]""".formatted(pointer(Component.RELEASE_ACTION),
                            action.replace("\"", "\\\""), pointer(Component.RELEASE_ACTION)));
        } catch (KubernetesClientException e) {
            LOG.debugf("release action %s on %s/%s not removed (changed meanwhile): %s", action, component.getMetadata().getNamespace(),
                    component.getMetadata().getName(), e.getMessage());
        }
    }

    private static String pointer(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String revisionOf(JsonNode workload) {
        return workload.path("spec").path("template").path("metadata").path("labels").path(ComponentRender.REVISION_LABEL).asText("");
    }

    private static String annotation(HasMetadata o, String key) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    private static JsonNode tree(GenericKubernetesResource r) {
        return r == null ? null : JSON.valueToTree(r);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("annotation " + STABLE_TEMPLATE + " is not JSON", e);
        }
    }

    private static String json(ComponentStatus status) {
        return status == null ? null : Serialization.asJson(status);
    }

    private static ResourceDefinitionContext context(String group, String version, String plural, String kind) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withPlural(plural).withKind(kind)
                .withNamespaced(true).build();
    }
}
