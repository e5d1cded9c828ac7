package io.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.slipway.cli.gateway.Routes;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every overlay of deploy/k8s, rendered by kubectl and read with typed models (StrictModels), keeps what an install of
 * Slipway needs: hardened services with probes and limits, their disruption budgets, spreads, network policies and
 * monitors, the least RBAC, workload-svc's CRDs, an Ingress equal to the gateway's routes, a KafkaTopic for exactly the
 * topics the code names, and a database, role and secret per service.
 */
class InstallTest {
    static final List<String> SERVICES = List.of("build-svc", "deploy-svc", "event-svc", "infra-svc", "workload-svc");
    /** Services that never call the Kubernetes API: no token, no binding. */
    static final Set<String> NO_KUBE_API = Set.of("build-svc", "deploy-svc", "infra-svc");
    private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");

    static List<String> overlays() {
        return Install.overlays();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyObjectReadsIntoItsTypedModel(String overlay) {
        Install install = Install.of(overlay);
        assertThat(install.objects()).as(install + ": objects").hasSizeGreaterThan(50);
        assertThat(install.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .as(install + ": Deployments").containsExactlyInAnyOrderElementsOf(SERVICES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyServiceRunsNonRootOnAReadOnlyRootWithProbesAndLimits(String overlay) {
        Install install = Install.of(overlay);
        for (Deployment d : install.all(Deployment.class)) {
            String at = install + " Deployment " + d.getMetadata().getName();
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(at + ": runAsNonRoot").isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).as(at + ": runAsUser").isEqualTo(10001L);
            assertThat(pod.getContainers()).as(at + ": containers").hasSize(1);
            Container c = pod.getContainers().get(0);
            assertThat(c.getImage()).as(at + ": image").contains("slipway/" + d.getMetadata().getName());
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(at + ": readOnlyRootFilesystem").isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(at + ": allowPrivilegeEscalation").isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(at + ": capabilities dropped").containsExactly("ALL");
            assertProbe(at + ": livenessProbe", c.getLivenessProbe(), "/q/health/live");
            assertProbe(at + ": readinessProbe", c.getReadinessProbe(), "/q/health/ready");
            assertProbe(at + ": startupProbe", c.getStartupProbe(), "/q/health/started");
            for (String kind : List.of("requests", "limits")) {
                var amounts = kind.equals("requests") ? c.getResources().getRequests() : c.getResources().getLimits();
                assertThat(amounts).as(at + ": resources." + kind).containsKeys("cpu", "memory");
            }
            // a read-only root leaves only volumes to write to: /tmp and the data dir must be mounted
            assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).as(at + ": writable mounts")
                    .contains("/tmp", env(c, "SLIPWAY_DATA_DIR"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyServiceHasItsDisruptionBudgetSpreadServiceMonitorAndNetworkPolicy(String overlay) {
        Install install = Install.of(overlay);
        for (Deployment d : install.all(Deployment.class)) {
            String name = d.getMetadata().getName();
            String at = install + " " + name;
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(labels).as(at + ": pod labels within its selector").containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
            assertThat(install.all(PodDisruptionBudget.class)).as(at + ": a PodDisruptionBudget selecting its pods")
                    .anySatisfy(p -> assertThat(labels).containsAllEntriesOf(p.getSpec().getSelector().getMatchLabels()));
            assertThat(d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).as(at + ": topology spread")
                    .isNotEmpty()
                    .allSatisfy(t -> assertThat(labels).containsAllEntriesOf(t.getLabelSelector().getMatchLabels()));
            Service service = install.named(Service.class, name);
            assertThat(labels).as(at + ": Service selects its pods").containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(install.all(ServiceMonitor.class)).as(at + ": a ServiceMonitor scraping /q/metrics of its Service")
                    .anySatisfy(m -> {
                        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(m.getSpec().getSelector().getMatchLabels());
                        assertThat(m.getSpec().getEndpoints()).anySatisfy(e -> {
                            assertThat(e.getPath()).isEqualTo("/q/metrics");
                            assertThat(service.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo(e.getPort()));
                        });
                    });
            assertThat(install.all(NetworkPolicy.class)).as(at + ": a NetworkPolicy with ingress rules for its pods")
                    .anySatisfy(n -> {
                        assertThat(labels).containsAllEntriesOf(n.getSpec().getPodSelector().getMatchLabels());
                        assertThat(n.getSpec().getPolicyTypes()).contains("Ingress");
                    });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void serviceAccountsHoldTheLeastRbac(String overlay) {
        Install install = Install.of(overlay);
        Map<String, List<PolicyRule>> rulesBySubject = rulesBySubject(install);
        for (Deployment d : install.all(Deployment.class)) {
            String name = d.getMetadata().getName();
            String at = install + " " + name;
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getServiceAccountName()).as(at + ": its own ServiceAccount").isEqualTo(name);
            ServiceAccount account = install.named(ServiceAccount.class, name);
            if (NO_KUBE_API.contains(name)) {
                assertThat(pod.getAutomountServiceAccountToken()).as(at + ": no token in the pod").isFalse();
                assertThat(account.getAutomountServiceAccountToken()).as(at + ": no token from the account").isFalse();
                assertThat(rulesBySubject).as(at + ": bound to no role").doesNotContainKey(name);
            } else {
                assertThat(rulesBySubject).as(at + ": bound to its roles").containsKey(name);
            }
        }
        rulesBySubject.forEach((subject, rules) -> assertThat(rules).as(install + " " + subject + ": no wildcard, no Secret")
                .allSatisfy(r -> {
                    assertThat(r.getVerbs()).doesNotContain("*");
                    assertThat(r.getResources()).doesNotContain("*", "secrets");
                    assertThat(r.getApiGroups()).doesNotContain("*");
                }));
        assertThat(rulesBySubject.get("event-svc")).as(install + " event-svc: reads only")
                .allSatisfy(r -> assertThat(READ_VERBS).containsAll(r.getVerbs()))
                .anySatisfy(r -> assertThat(r.getResources()).contains("events"));
        Set<String> crds = Set.copyOf(install.all(CustomResourceDefinition.class).stream().map(c -> c.getMetadata().getName()).toList());
        assertThat(rulesBySubject.get("workload-svc")).as(install + " workload-svc: changes CRDs only its own, by name")
                .filteredOn(r -> r.getApiGroups().contains("apiextensions.k8s.io") && !READ_VERBS.containsAll(r.getVerbs()))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(crds).containsAll(r.getResourceNames()).isNotEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theCrdsWorkloadSvcServesAreInstalled(String overlay) throws IOException {
        Install install = Install.of(overlay);
        List<String> files = new ArrayList<>();
        try (Stream<Path> crds = Files.list(Repo.k8s().resolve("crds"))) {
            for (Path f : crds.filter(f -> f.toString().endsWith(".yml")).toList()) {
                files.add(StrictModels.read(Files.readString(f)).get(0).name());
            }
        }
        assertThat(install.all(CustomResourceDefinition.class)).extracting(c -> c.getMetadata().getName())
                .as(install + ": the CRDs of deploy/k8s/crds").containsExactlyInAnyOrderElementsOf(files);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theIngressRoutesExactlyTheGatewaysPrefixes(String overlay) {
        Install install = Install.of(overlay);
        Map<String, String> routed = new TreeMap<>();
        for (Ingress ingress : install.all(Ingress.class)) {
            for (var rule : ingress.getSpec().getRules()) {
                for (HTTPIngressPath path : rule.getHttp().getPaths()) {
                    String at = install + " Ingress " + ingress.getMetadata().getName() + " " + path.getPath();
                    assertThat(path.getPathType()).as(at + ": pathType (the gateway's prefix match)").isEqualTo("Prefix");
                    String service = path.getBackend().getService().getName();
                    assertThat(routed.put(path.getPath(), service)).as(at + ": routed once").isNull();
                    assertThat(install.named(Service.class, service).getSpec().getPorts()).as(at + ": backend port")
                            .anySatisfy(p -> assertThat(p.getName()).isEqualTo(path.getBackend().getService().getPort().getName()));
                }
            }
        }
        assertThat(routed).as(install + ": Ingress paths vs cli's Routes.PREFIXES").isEqualTo(new TreeMap<>(Routes.PREFIXES));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void kafkaTopicsAreExactlyTheTopicsTheCodeNames(String overlay) {
        Install install = Install.of(overlay);
        TreeMap<String, String> code = CodeTopics.derive(Repo.root());
        String cluster = install.all(Kafka.class).get(0).getMetadata().getName();
        Map<String, KafkaTopic> declared = new TreeMap<>();
        for (KafkaTopic t : install.all(KafkaTopic.class)) {
            String name = t.getSpec().getTopicName() != null ? t.getSpec().getTopicName() : t.getMetadata().getName();
            declared.put(name, t);
            assertThat(t.getMetadata().getLabels()).as(install + " KafkaTopic " + name + ": its cluster")
                    .containsEntry("strimzi.io/cluster", cluster);
            assertThat(t.getSpec().getPartitions()).as(install + " KafkaTopic " + name + ": partitions").isPositive();
            assertThat(t.getSpec().getConfig()).as(install + " KafkaTopic " + name + ": retention").containsKey("retention.ms");
        }
        Map<String, String> missing = new TreeMap<>(code);
        missing.keySet().removeAll(declared.keySet());
        assertThat(missing).as(install + ": topics the code names (and where) without a KafkaTopic").isEmpty();
        Set<String> extra = new TreeSet<>(declared.keySet());
        extra.removeAll(code.keySet());
        assertThat(extra).as(install + ": KafkaTopics that no code names").isEmpty();
        declared.forEach((name, t) -> {
            if (name.endsWith(".events") && !name.equals("slipway.kube.events")) {
                assertThat(t.getSpec().getConfig()).as(install + " " + name + ": the system of record, kept forever, not compacted")
                        .containsEntry("retention.ms", -1).containsEntry("cleanup.policy", "delete");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void eachServiceHasItsDatabaseAndAReplicationRoleWhosePasswordItReads(String overlay) {
        Install install = Install.of(overlay);
        List<Cnpg.Cluster> clusters = install.all(Cnpg.Cluster.class);
        assertThat(clusters).as(install + ": one PostgreSQL cluster").hasSize(1);
        Cnpg.Cluster pg = clusters.get(0);
        assertThat(pg.spec().postgresql().parameters()).as(install + ": logical decoding for the outbox relays")
                .containsEntry("wal_level", "logical");
        for (Deployment d : install.all(Deployment.class)) {
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            String at = install + " " + d.getMetadata().getName();
            String database = env(c, "SLIPWAY_DB_NAME");
            assertThat(env(c, "SLIPWAY_DB_HOST")).as(at + ": the cluster's read-write Service").isEqualTo(pg.metadata().getName() + "-rw");
            String secret = secretOf(c, "SLIPWAY_DB_PASSWORD");
            assertThat(secretOf(c, "SLIPWAY_DB_USER")).as(at + ": user and password from one Secret").isEqualTo(secret);
            assertThat(install.all(Cnpg.Database.class)).as(at + ": its database " + database + ", owned by its role")
                    .anySatisfy(db -> {
                        assertThat(db.spec().name()).isEqualTo(database);
                        assertThat(db.spec().owner()).isEqualTo(database);
                        assertThat(db.spec().cluster().name()).isEqualTo(pg.metadata().getName());
                    });
            assertThat(pg.spec().managed().roles()).as(at + ": role " + database + " that may replicate, password from " + secret)
                    .anySatisfy(r -> {
                        assertThat(r.name()).isEqualTo(database);
                        assertThat(r.login()).isTrue();
                        assertThat(r.replication()).isTrue();
                        assertThat(r.passwordSecret().name()).isEqualTo(secret);
                    });
        }
    }

    /** Subject (ServiceAccount name) to the rules of every role bound to it, cluster-wide or in a namespace. */
    private static Map<String, List<PolicyRule>> rulesBySubject(Install install) {
        Map<String, List<PolicyRule>> out = new TreeMap<>();
        List<Map.Entry<RoleRef, List<Subject>>> bindings = new ArrayList<>();
        install.all(ClusterRoleBinding.class).forEach(b -> bindings.add(Map.entry(b.getRoleRef(), b.getSubjects())));
        install.all(RoleBinding.class).forEach(b -> bindings.add(Map.entry(b.getRoleRef(), b.getSubjects())));
        for (var binding : bindings) {
            RoleRef ref = binding.getKey();
            List<PolicyRule> rules = ref.getKind().equals("ClusterRole")
                    ? install.named(ClusterRole.class, ref.getName()).getRules()
                    : install.named(Role.class, ref.getName()).getRules();
            for (Subject s : binding.getValue()) {
                assertThat(s.getKind()).as(install + " binding of " + ref.getName() + ": subjects are ServiceAccounts").isEqualTo("ServiceAccount");
                out.computeIfAbsent(s.getName(), k -> new ArrayList<>()).addAll(rules);
            }
        }
        return out;
    }

    private static void assertProbe(String at, Probe probe, String path) {
        assertThat(probe).as(at).isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(at + " path").isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).as(at + " port").isEqualTo("http");
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + ": no " + name));
    }

    private static String secretOf(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .map(e -> e.getValueFrom().getSecretKeyRef().getName())
                .orElseThrow(() -> new AssertionError(c.getName() + ": no " + name + " from a Secret"));
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
