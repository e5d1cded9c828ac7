package io.slipway.deploy.secret;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.deploy.clusterfile.SecretRefs;
import io.slipway.events.deploy.SecretChanged;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Named deploy secrets: set and deleted by operators (each change a {@code SecretChanged} event that names the secret,
 * never its value), sealed in the database, and put in place of {@code ${secret:<name>}} when a Clusterfile is
 * accepted, so what CI sends (and its DLQ keeps) holds references only.
 */
@ApplicationScoped
public class DeploySecrets {
    /** The largest secret: a private key with its certificate chain fits many times over. */
    static final int MAX_VALUE = 64 * 1024;

    private final Outbox outbox;

    DeploySecrets(Outbox outbox) {
        this.outbox = outbox;
    }

    /** A secret as listed: never its value. */
    public record Listed(String name, String updatedBy, Instant updatedAt) {
    }

    /** Sets {@code name}; answers whether it existed before. */
    @WithTransaction
    public Uni<Boolean> put(String name, String value, String by, EventContext context) {
        checkName(name);
        if (value == null || value.isEmpty()) {
            throw new InvalidRequest("value", "the secret's value is empty");
        }
        if (value.length() > MAX_VALUE) {
            throw new InvalidRequest("value", "a secret holds at most " + MAX_VALUE + " characters");
        }
        return Panache.getSession().chain(s -> s.find(DeploySecret.class, name).chain(existing -> {
            DeploySecret secret = existing != null ? existing : new DeploySecret();
            secret.name = name;
            secret.value = value;
            secret.updatedBy = by;
            secret.updatedAt = Instant.now();
            Uni<?> write = existing != null ? Uni.createFrom().item(secret) : s.persist(secret);
            return write.chain(() -> outbox.append("secret/" + name, SecretChanged.newBuilder().setName(name).setDeleted(false)
                    .setChangedBy(by).setAt(secret.updatedAt).build(), context)).replaceWith(existing != null);
        }));
    }

    /** Deletes {@code name}; answers whether there was one. Clusters that were given its value keep it. */
    @WithTransaction
    public Uni<Boolean> delete(String name, String by, EventContext context) {
        checkName(name);
        return Panache.getSession().chain(s -> s.find(DeploySecret.class, name).chain(existing -> {
            if (existing == null) {
                return Uni.createFrom().item(false);
            }
            return s.remove(existing).chain(() -> outbox.append("secret/" + name, SecretChanged.newBuilder().setName(name)
                    .setDeleted(true).setChangedBy(by).setAt(Instant.now()).build(), context)).replaceWith(true);
        }));
    }

    @WithSession
    public Uni<List<Listed>> list() {
        return Panache.getSession().chain(s -> s.createQuery("from DeploySecret order by name", DeploySecret.class).getResultList())
                .map(all -> all.stream().map(d -> new Listed(d.name, d.updatedBy, d.updatedAt)).toList());
    }

    /**
     * {@code cf} with every {@code ${secret:<name>}} replaced by the secret's value; a name that is not set is a 400
     * naming it (and how to set it).
     */
    @WithSession
    public Uni<Clusterfile> resolve(Clusterfile cf) {
        Set<String> names = cf.secretReferences();
        if (names.isEmpty()) {
            return Uni.createFrom().item(cf);
        }
        return Panache.getSession().chain(s -> s.createQuery("from DeploySecret where name in (:names)", DeploySecret.class)
                .setParameter("names", names).getResultList()).map(found -> {
                    Map<String, String> values = new LinkedHashMap<>();
                    found.forEach(d -> values.put(d.name, d.value));
                    Set<String> missing = new TreeSet<>(names);
                    missing.removeAll(values.keySet());
                    if (!missing.isEmpty()) {
                        throw new InvalidRequest("secret", "the Clusterfile names secret(s) that are not set: " + String.join(", ", missing)
                                + " (PUT /api/v1/deploy/secrets/<name>, or slipway secret set <name>)");
                    }
                    return cf.withSecrets(values);
                });
    }

    static void checkName(String name) {
        if (name == null || !SecretRefs.NAME.matcher(name).matches()) {
            throw new InvalidRequest("name", "a secret's name is lower-case letters, digits, '-', '_' and '.' (at most 63), starting "
                    + "and ending with a letter or digit");
        }
    }
}
