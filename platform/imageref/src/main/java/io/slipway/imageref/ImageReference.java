package io.slipway.imageref;

import io.slipway.imageref.InvalidReferenceException.Part;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A container image reference normalized the way docker and containerd read it: no registry means
 * {@code docker.io}, a single-name repository there lives under {@code library/}, and a reference
 * with neither tag nor digest means {@code latest}. A tag given beside a digest is kept, since
 * manifests write {@code nginx:1.25@sha256:...} to pin a readable tag.
 *
 * @param registry   registry host with optional port, for example {@code docker.io} or {@code localhost:5000}
 * @param repository repository path inside the registry, for example {@code library/nginx}
 * @param tag        the tag, or null when only a digest is given
 * @param digest     {@code algorithm:hex}, or null
 */
public record ImageReference(String registry, String repository, String tag, String digest)
        implements Comparable<ImageReference> {

    public static final String DOCKER_HUB = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    /** Longest registry/repository name distribution accepts. */
    private static final int MAX_NAME_LENGTH = 255;

    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]");
    private static final Pattern IPV6 = Pattern.compile("\\[[a-fA-F0-9:]+]");
    private static final Pattern PORT = Pattern.compile("[0-9]+");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    public ImageReference {
        checkRegistry(registry);
        checkRepository(repository);
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        if (tag != null) {
            checkTag(tag);
        }
        if (digest != null) {
            checkDigest(digest);
        }
        if (registry.length() + 1 + repository.length() > MAX_NAME_LENGTH) {
            throw new InvalidReferenceException(registry + "/" + repository, Part.REPOSITORY, repository,
                    "name longer than " + MAX_NAME_LENGTH + " characters");
        }
    }

    /**
     * Parses {@code [registry/]repository[:tag][@digest]}.
     *
     * @throws InvalidReferenceException naming what is wrong with {@code reference}
     */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new InvalidReferenceException(reference, Part.REFERENCE, reference, "empty image reference");
        }
        if (reference.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new InvalidReferenceException(reference, Part.REFERENCE, reference, "contains whitespace");
        }
        try {
            return split(reference);
        } catch (InvalidReferenceException e) {
            // re-anchored so the message quotes what the user wrote, not the normalized part that failed
            throw e.in(reference);
        }
    }

    private static ImageReference split(String reference) {
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.indexOf(':', rest.lastIndexOf('/') + 1);
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        String repository = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0 && isRegistry(rest.substring(0, slash))) {
            registry = rest.substring(0, slash);
            repository = rest.substring(slash + 1);
        }
        if (registry.equals("index.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && !repository.isEmpty() && repository.indexOf('/') < 0) {
            repository = "library/" + repository;
        }
        return new ImageReference(registry, repository, tag, digest);
    }

    /** Docker's rule: the first component names a registry when it looks like a host or is not lowercase. */
    private static boolean isRegistry(String first) {
        return first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(Locale.ROOT));
    }

    /** Registry and repository, without tag or digest: {@code docker.io/library/nginx}. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The full, normalized form, for example {@code docker.io/library/nginx:latest}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(name());
        if (tag != null) {
            text.append(':').append(tag);
        }
        if (digest != null) {
            text.append('@').append(digest);
        }
        return text.toString();
    }

    @Override
    public int compareTo(ImageReference other) {
        return toString().compareTo(other.toString());
    }

    private static void checkRegistry(String registry) {
        if (registry == null || registry.isEmpty()) {
            throw new InvalidReferenceException(registry, Part.REGISTRY, registry, "empty registry");
        }
        String host = registry;
        int portColon = registry.startsWith("[") ? registry.indexOf(':', registry.indexOf(']')) : registry.indexOf(':');
        if (portColon >= 0) {
            host = registry.substring(0, portColon);
            String port = registry.substring(portColon + 1);
            if (!PORT.matcher(port).matches()) {
                throw new InvalidReferenceException(registry, Part.REGISTRY, registry, "invalid registry port '" + port + "'");
            }
        }
        boolean valid = IPV6.matcher(host).matches() || isDomainName(host);
        if (!valid) {
            throw new InvalidReferenceException(registry, Part.REGISTRY, registry, "invalid registry host '" + host + "'");
        }
    }

    private static boolean isDomainName(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (String component : host.split("\\.", -1)) {
            if (!DOMAIN_COMPONENT.matcher(component).matches()) {
                return false;
            }
        }
        return true;
    }

    private static void checkRepository(String repository) {
        if (repository == null || repository.isEmpty()) {
            throw new InvalidReferenceException(repository, Part.REPOSITORY, "", "no repository name");
        }
        for (String component : repository.split("/", -1)) {
            if (PATH_COMPONENT.matcher(component).matches()) {
                continue;
            }
            if (PATH_COMPONENT.matcher(component.toLowerCase(Locale.ROOT)).matches()) {
                throw new InvalidReferenceException(repository, Part.PATH_COMPONENT, component,
                        "repository name must be lowercase");
            }
            throw new InvalidReferenceException(repository, Part.PATH_COMPONENT, component, component.isEmpty()
                    ? "empty path component in repository '" + repository + "'"
                    : "invalid repository path component '" + component
                            + "' (lowercase letters and digits, separated by '.', '_', '__' or dashes)");
        }
    }

    private static void checkTag(String tag) {
        if (tag.isEmpty()) {
            throw new InvalidReferenceException(tag, Part.TAG, tag, "empty tag after ':'");
        }
        if (!TAG.matcher(tag).matches()) {
            throw new InvalidReferenceException(tag, Part.TAG, tag, "invalid tag '" + tag
                    + "' (letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128 characters)");
        }
    }

    private static void checkDigest(String digest) {
        int colon = digest.indexOf(':');
        if (colon < 0) {
            throw new InvalidReferenceException(digest, Part.DIGEST, digest,
                    "invalid digest '" + digest + "' (expected algorithm:hex)");
        }
        String algorithm = digest.substring(0, colon);
        String hex = digest.substring(colon + 1);
        int expectedLength = switch (algorithm) {
            case "sha256" -> 64;
            case "sha384" -> 96;
            case "sha512" -> 128;
            default -> throw new InvalidReferenceException(digest, Part.DIGEST, digest,
                    "unsupported digest algorithm '" + algorithm + "'");
        };
        if (hex.length() != expectedLength || !HEX.matcher(hex).matches()) {
            throw new InvalidReferenceException(digest, Part.DIGEST, digest, "invalid " + algorithm
                    + " digest (expected " + expectedLength + " lowercase hex characters)");
        }
    }
}
