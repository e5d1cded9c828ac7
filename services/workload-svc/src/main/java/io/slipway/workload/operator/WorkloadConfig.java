package io.slipway.workload.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** workload-svc's controllers. */
@ConfigMapping(prefix = "slipway.workload")
public interface WorkloadConfig {
    /** Whether the controllers run: off unless a target cluster is configured (the local stack has none). */
    @WithDefault("false")
    boolean controllers();

    /**
     * The name of the home cluster, the Quarkus Kubernetes Client's ({@code quarkus.kubernetes-client.*}, or the pod's
     * service account), as events, the ledger, the cluster template and the REST paths name it.
     */
    @WithDefault("default")
    String cluster();

    /**
     * More target clusters by name, each reached through a kubeconfig context and run on its own: its own operator,
     * leader Lease (in that cluster), informers, client threads and transitions (named by the cluster). The admission
     * webhooks (SidecarSet injection, validation) are registered with the home cluster only, so SidecarSets are
     * reconciled there only; every other controller runs in each cluster.
     */
    Map<String, TargetCluster> clusters();

    /** A cluster other than the home one: its API server and credentials from a kubeconfig context. */
    interface TargetCluster {
        /** The kubeconfig file; {@code $KUBECONFIG} (its first file) or {@code ~/.kube/config} when absent. */
        Optional<String> kubeconfig();

        /** The context in it; the file's current context when absent. */
        Optional<String> context();
    }

    /**
     * Where cluster-scoped workloads (SidecarSets) keep their ControllerRevisions, as Kruise keeps them in its own
     * namespace; the client's namespace when absent.
     */
    Optional<String> revisionNamespace();

    /** Leader election by Lease: one active instance per cluster, standbys take over. */
    LeaderElection leaderElection();

    /** CronHorizontalPodAutoscalers. */
    CronHpa cronhpa();

    interface CronHpa {
        /** The zone of a CronHPA without {@code spec.timeZone} (the anchor uses the process's TZ, usually UTC). */
        @WithDefault("UTC")
        String defaultTimeZone();

        /**
         * The longest a CronHPA waits between looks even when its next fire is later: a clock stepped by NTP or a
         * missed wake-up is caught within it.
         */
        @WithDefault("5m")
        Duration maxWait();
    }

    /** Components. */
    Components component();

    interface Components {
        /** Where the template ConfigMaps live (workload type, language, cluster). */
        @WithDefault("slipway")
        String templateNamespace();

        /** Components a template change may roll out per minute (a component's own change is not limited). */
        @WithDefault("10")
        int templateRolloutsPerMinute();

        /**
         * This instance's shard: it reconciles only the Components labelled {@code component.slipway.io/controller-id}
         * with this value, under a lease of its own ({@code <lease-name>-<id>}), and runs no other controller. Unset: the
         * Components without that label, and every other controller.
         */
        Optional<String> controllerId();

        /** The longest a component waits for a rollout slot or a timed step before it looks again (a stepped clock). */
        @WithDefault("5m")
        Duration maxWait();
    }

    /** Reconciles running at once (each resource is reconciled by one at a time). */
    @WithDefault("8")
    int reconcileThreads();

    interface LeaderElection {
        /** Off only for a single instance that must never wait for a lease. */
        @WithDefault("true")
        boolean enabled();

        /** The Lease's name. */
        @WithDefault("slipway-workload-svc")
        String leaseName();

        /** The Lease's namespace; the client's namespace when absent. */
        Optional<String> leaseNamespace();

        /** This instance's identity in the Lease; a random id when absent. */
        Optional<String> identity();

        /** How long a lease holds without renewal before a standby may take it. */
        @WithDefault("15s")
        Duration leaseDuration();

        /** How long the leader keeps trying to renew before it gives the lease up. */
        @WithDefault("10s")
        Duration renewDeadline();

        /**
         * Whether losing the lease ends the process, so that a Kubernetes restart brings it back as a clean standby and
         * two instances never reconcile at once; off only where other things share the JVM (tests).
         */
        @WithDefault("true")
        boolean exitOnLoss();

        /** How often candidates try to take the lease and the leader renews it. */
        @WithDefault("2s")
        Duration retryPeriod();
    }
}
