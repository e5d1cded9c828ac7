package io.slipway.compose;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether each environment variable a compose file sets on a service is a configuration key of that service. SmallRye
 * Config ignores a variable that names no key, so a misspelt one ({@code SLIPWAY_DB_HSOT}) would leave the service on
 * its default without a word; here it is a failure naming the variable.
 */
final class EnvironmentCheck {

    /**
     * Keys that Quarkus or MicroProfile define, not the services' own files, and that docker-compose.yml sets. Only
     * these may be set besides the services' own keys, and a {@code QUARKUS_} one must also be a run-time property of
     * an extension the service ships (its config model), so a misspelling here is caught too.
     */
    static final Set<String> QUARKUS_AND_MICROPROFILE_KEYS = Set.of(
            // MicroProfile JWT: the public key tokens are verified with (application.properties names it only in a comment)
            "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
            // the services sit behind the gateway, as the local stack passes them (ServiceProcess.BEHIND_GATEWAY)
            "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING",
            "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED",
            "QUARKUS_HTTP_PROXY_ENABLE_FORWARDED_HOST",
            "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES");

    private EnvironmentCheck() {
    }

    /** What is wrong with {@code environment} for the service {@code keys} describes; empty when nothing is. */
    static List<String> problems(ServiceConfigKeys keys, Map<String, String> environment) {
        List<String> out = new ArrayList<>();
        for (String name : environment.keySet()) {
            problem(keys, name).ifPresent(p -> out.add(keys.service() + ": " + name + " " + p));
        }
        return out;
    }

    private static Optional<String> problem(ServiceConfigKeys keys, String name) {
        if (!keys.isOwnKey(name) && !QUARKUS_AND_MICROPROFILE_KEYS.contains(name)) {
            return Optional.of("is no configuration key of the service, nor on the allow-list of Quarkus and MicroProfile"
                    + " keys: a misspelt name is ignored and the default stays");
        }
        if (name.startsWith("QUARKUS_")) {
            Optional<QuarkusConfigModel.Property> property = keys.quarkus().property(name);
            if (property.isEmpty()) {
                return Optional.of("is no property of the Quarkus extensions the service ships");
            }
            if (!property.get().runTime()) {
                return Optional.of("sets " + property.get().name() + ", which is fixed when the service is built: setting it at run time changes nothing");
            }
        }
        return Optional.empty();
    }
}
