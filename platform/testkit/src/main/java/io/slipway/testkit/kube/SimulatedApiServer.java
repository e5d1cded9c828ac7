package io.slipway.testkit.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD dispatcher with what it lacks of the real API server's list and watch contract (see
 * https://kubernetes.io/docs/reference/using-api/api-concepts/): a history of changes (the watch cache) so that a
 * watch from a resourceVersion gets exactly the changes after it; {@code 410 Gone} (an ERROR event with a Status
 * {@code Expired}) for a resourceVersion older than the compacted history; BOOKMARK events; {@code timeoutSeconds};
 * paged lists ({@code limit}/{@code continue}) that are consistent at one resourceVersion; and the two API views
 * (core/v1 and events.k8s.io/v1) of every Event. Deletions get a resourceVersion of their own, as in etcd.
 *
 * <p>The CRUD dispatcher's own lock is private; everything here is ordered by {@link #state}, which is always taken
 * after it (fabric8's handlers call {@link #processEvent} and {@link #findResource} holding theirs).
 */
final class SimulatedApiServer extends KubernetesCrudDispatcher {
    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final String RESOURCE = "(?:/namespaces/(?<namespace>[^/?]+))?/(?<plural>[^/?]+)(?:/(?<name>[^/?]+))?/?(?:\\?.*)?$";
    private static final Pattern CORE_PATH = Pattern.compile("^/api/(?<version>[^/?]+)" + RESOURCE);
    private static final Pattern GROUP_PATH = Pattern.compile("^/apis/(?<group>[^/?]+)/(?<version>[^/?]+)" + RESOURCE);
    private static final int SNAPSHOTS = 32;

    /** One committed change; {@code previous} of a deletion carries the deletion's own resourceVersion. */
    record Change(long rv, AttributeSet before, AttributeSet after, String previous, String current) {
    }

    /** Where an object lives: the identity the API server stores it under. */
    record ObjectKey(String group, String version, String plural, String namespace, String name) {
    }

    /** A parsed resource path. */
    record ResourcePath(String group, String version, String plural, String namespace, String name, Map<String, String> query) {
        boolean core() {
            return group.isEmpty();
        }

        String apiVersion() {
            return core() ? version : group + "/" + version;
        }

        String kind() {
            return SimulatedApiServer.kindOf(plural);
        }
    }

    private record ListSnapshot(long rv, List<String> items) {
    }

    private final Object state = new Object();
    private final KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    private final ArrayDeque<Change> history = new ArrayDeque<>();
    private final Map<ObjectKey, AttributeSet> index = new HashMap<>();
    private final Set<SimulatedWatch> watches = ConcurrentHashMap.newKeySet();
    private final Map<String, ListSnapshot> snapshots = new LinkedHashMap<>(SNAPSHOTS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ListSnapshot> eldest) {
            return size() > SNAPSHOTS;
        }
    };
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-apiserver-timers");
        t.setDaemon(true);
        return t;
    });

    private long lastRv;
    private long compactedRv;
    private volatile int historyLimit;
    private volatile int watchBacklogLimit;
    private volatile long bookmarkMillis;
    private volatile long firstEventDelayMillis;
    private volatile ScheduledFuture<?> nextBookmark;

    SimulatedApiServer(int historyLimit, int watchBacklogLimit, long bookmarkMillis, long firstEventDelayMillis) {
        this.firstEventDelayMillis = firstEventDelayMillis;
        this.historyLimit = historyLimit;
        this.watchBacklogLimit = watchBacklogLimit;
        this.bookmarkMillis = bookmarkMillis;
        scheduleBookmarks();
    }

    // ---- the resourceVersion clock, history and compaction ----------------------------------------------------------

    long resourceVersion() {
        synchronized (state) {
            return lastRv;
        }
    }

    /** etcd compaction at the current revision: a watch or list continuation from an older resourceVersion gets 410. */
    void compact() {
        synchronized (state) {
            history.clear();
            compactedRv = lastRv;
        }
    }

    void historyLimit(int limit) {
        synchronized (state) {
            historyLimit = limit;
            trimHistory();
        }
    }

    void watchBacklogLimit(int limit) {
        watchBacklogLimit = limit;
    }

    void firstEventDelay(long millis) {
        firstEventDelayMillis = millis;
    }

    void bookmarkInterval(long millis) {
        bookmarkMillis = millis;
        ScheduledFuture<?> current = nextBookmark;
        if (current != null && current.cancel(false)) {
            scheduleBookmarks();
        }
    }

    int openWatches() {
        return watches.size();
    }

    /** Every open watch ends, as when the API server restarts; clients re-watch from their last resourceVersion. */
    void endWatches(String reason) {
        for (SimulatedWatch w : List.copyOf(watches)) {
            w.end(1000, reason);
        }
    }

    @Override
    public void shutdown() {
        endWatches("server stopping");
        timers.shutdownNow();
        super.shutdown();
    }

    private void trimHistory() {
        while (history.size() > historyLimit) {
            compactedRv = Math.max(compactedRv, history.removeFirst().rv());
        }
    }

    private void scheduleBookmarks() {
        nextBookmark = timers.schedule(() -> {
            try {
                synchronized (state) {
                    for (SimulatedWatch w : watches) {
                        w.bookmark(lastRv);
                    }
                }
            } finally {
                if (!timers.isShutdown()) {
                    scheduleBookmarks();
                }
            }
        }, bookmarkMillis, TimeUnit.MILLISECONDS);
    }

    /** Records a change the map already holds and tells every watch, in resourceVersion order. */
    private void commit(Change change) {
        if (change.before() != null) {
            index.remove(keyOf(change.before()));
        }
        if (change.after() != null) {
            index.put(keyOf(change.after()), change.after());
        }
        history.addLast(change);
        lastRv = Math.max(lastRv, change.rv());
        trimHistory();
        for (SimulatedWatch w : watches) {
            w.offer(change);
        }
    }

    // ---- writes -----------------------------------------------------------------------------------------------------

    /** Every write through fabric8's CRUD handlers (POST, PUT, PATCH, DELETE) ends here. */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        synchronized (state) {
            String existing = oldAttributes == null ? null : map.get(oldAttributes);
            if (existing == null && newState == null) {
                return; // deleted already, e.g. through its other API view
            }
            super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
            ObjectNode tree = newState == null ? null : (ObjectNode) readTree(newState);
            AttributeSet after = null;
            long rv;
            String previous = existing;
            if (tree != null) {
                after = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
                if (!after.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                    after = AttributeSet.merge(pathAttributes, after);
                }
                rv = Long.parseLong(tree.path("metadata").path("resourceVersion").asText("0"));
            } else {
                rv = requestResourceVersion();
                previous = withResourceVersion(existing, rv);
            }
            commit(new Change(rv, oldAttributes, after, previous, newState));
            ObjectKey key = keyOf(after != null ? after : oldAttributes);
            if (EventViews.isEvent(key.group(), key.plural())) {
                mirror(key, tree, rv);
            }
        }
    }

    /**
     * Creates or replaces an object the way the API server stores it (uid and creationTimestamp on creation, a new
     * resourceVersion on every write), without an HTTP round trip: lists and watches see exactly what a POST or PUT
     * would have produced. The event generator writes through here so that thousands of events per second cost the
     * simulation little.
     */
    long store(String group, String version, String plural, ObjectNode object) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        String namespace = metadata.path("namespace").asText(null);
        synchronized (state) {
            ObjectKey key = new ObjectKey(group, version, plural, namespace, metadata.path("name").asText());
            AttributeSet before = index.get(key);
            String previous = before == null ? null : map.remove(before);
            if (previous == null) {
                if (!metadata.hasNonNull("uid")) {
                    metadata.put("uid", UUID.randomUUID().toString());
                }
                if (!metadata.hasNonNull("creationTimestamp")) {
                    metadata.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
                }
                if (!metadata.hasNonNull("generation")) {
                    metadata.put("generation", 1); // as fabric8's POST handler sets it; its PUT and PATCH handlers rely on it
                }
            }
            long rv = requestResourceVersion();
            metadata.put("resourceVersion", Long.toString(rv));
            String json = writeJson(object);
            AttributeSet after = attributesOf(key, metadata);
            map.put(after, json);
            commit(new Change(rv, before, after, previous, json));
            if (EventViews.isEvent(group, plural)) {
                mirror(key, object, rv);
            }
            return rv;
        }
    }

    /** Writes the other API view of the Event just committed under {@code key} (same name, uid and resourceVersion). */
    private void mirror(ObjectKey key, ObjectNode event, long rv) {
        ObjectKey other = new ObjectKey(EventViews.otherGroup(key.group()), "v1", "events", key.namespace(), key.name());
        AttributeSet before = index.get(other);
        String previous = before == null ? null : map.remove(before);
        if (event == null) {
            if (previous != null) {
                commit(new Change(rv, before, null, withResourceVersion(previous, rv), null));
            }
            return;
        }
        ObjectNode view = EventViews.otherView(event);
        ((ObjectNode) view.get("metadata")).put("resourceVersion", Long.toString(rv));
        String json = writeJson(view);
        AttributeSet after = attributesOf(other, (ObjectNode) view.get("metadata"));
        map.put(after, json);
        commit(new Change(rv, before, after, previous, json));
    }

    /** O(1) instead of fabric8's scan over every stored object, which made each write cost as much as a list. */
    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        ObjectKey key = keyOf(attributes);
        if (key.name() == null || key.plural() == null) {
            return super.findResource(attributes);
        }
        synchronized (state) {
            AttributeSet stored = index.get(key);
            String value = stored == null ? null : map.get(stored);
            return value == null ? null : Map.entry(stored, value);
        }
    }

    /**
     * SelfSubjectRulesReview (what may I do?) answers as the API server does for the simulated cluster's one user, who
     * may do everything; the CRUD dispatcher would store the review instead. Leader election asks it before taking a
     * Lease.
     */
    @Override
    public MockResponse handleCreate(io.fabric8.mockwebserver.http.RecordedRequest request) {
        if (request.getPath() != null && request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
            ObjectNode review = (ObjectNode) readTree(request.getBody().readUtf8());
            ObjectNode status = review.putObject("status");
            ObjectNode all = status.putArray("resourceRules").addObject();
            all.putArray("verbs").add("*");
            all.putArray("apiGroups").add("*");
            all.putArray("resources").add("*");
            ObjectNode urls = status.putArray("nonResourceRules").addObject();
            urls.putArray("verbs").add("*");
            urls.putArray("nonResourceURLs").add("*");
            status.put("incomplete", false);
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_CREATED).setBody(writeJson(review));
        }
        return super.handleCreate(request);
    }

    @Override
    public MockResponse handleDelete(String path) {
        ResourcePath p = parse(path);
        if (p == null || p.name() == null) {
            return super.handleDelete(path);
        }
        synchronized (state) {
            AttributeSet stored = index.get(new ObjectKey(p.group(), p.version(), p.plural(), p.namespace(), p.name()));
            String value = stored == null ? null : map.get(stored);
            if (value == null) {
                return status(HttpURLConnection.HTTP_NOT_FOUND, "NotFound", p.plural() + " \"" + p.name() + "\" not found");
            }
            processEvent(path, stored, stored, null, null);
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(value);
        }
    }

    @Override
    public void reset() {
        synchronized (state) {
            super.reset();
            history.clear();
            index.clear();
            snapshots.clear();
            compactedRv = lastRv;
        }
    }

    // ---- reads ------------------------------------------------------------------------------------------------------

    @Override
    public MockResponse handleGet(String path) {
        ResourcePath p = parse(path);
        if (p == null) {
            return super.handleGet(path);
        }
        if ("true".equals(p.query().get("watch"))) {
            return handleWatch(path);
        }
        if (p.name() != null) {
            synchronized (state) {
                AttributeSet stored = index.get(new ObjectKey(p.group(), p.version(), p.plural(), p.namespace(), p.name()));
                String value = stored == null ? null : map.get(stored);
                return value == null
                        ? status(HttpURLConnection.HTTP_NOT_FOUND, "NotFound", p.plural() + " \"" + p.name() + "\" not found")
                        : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(value);
            }
        }
        return list(path, p);
    }

    /**
     * A list is consistent at one resourceVersion; with {@code limit} it comes in pages whose continue token refers
     * to that snapshot, which expires (410) when the history behind it has been compacted.
     */
    private MockResponse list(String path, ResourcePath p) {
        String token = p.query().get("continue");
        int limit = p.query().containsKey("limit") ? Integer.parseInt(p.query().get("limit")) : 0;
        ListSnapshot snapshot;
        int offset = 0;
        String id;
        synchronized (state) {
            if (token != null && !token.isEmpty()) {
                String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
                id = parts[0];
                offset = Integer.parseInt(parts[1]);
                snapshot = snapshots.get(id);
                if (snapshot == null || snapshot.rv() < compactedRv) {
                    return status(HttpURLConnection.HTTP_GONE, "Expired", "The provided continue parameter is too old to display"
                            + " a consistent list result. You can start a new list without the continue parameter.");
                }
            } else {
                AttributeSet query = queryOf(path, p);
                List<Map.Entry<AttributeSet, String>> matching = new ArrayList<>();
                synchronized (map) {
                    for (Map.Entry<AttributeSet, String> e : map.entrySet()) {
                        if (e.getKey().matches(query)) {
                            matching.add(e);
                        }
                    }
                }
                matching.sort(Comparator.comparing((Map.Entry<AttributeSet, String> e) -> String.valueOf(keyOf(e.getKey()).namespace()))
                        .thenComparing(e -> String.valueOf(keyOf(e.getKey()).name())));
                snapshot = new ListSnapshot(lastRv, matching.stream().map(Map.Entry::getValue).toList());
                id = UUID.randomUUID().toString();
                if (limit > 0 && snapshot.items().size() > limit) {
                    snapshots.put(id, snapshot);
                }
            }
        }
        int end = limit > 0 ? Math.min(snapshot.items().size(), offset + limit) : snapshot.items().size();
        StringBuilder body = new StringBuilder(256 + (end - offset) * 1024);
        body.append("{\"kind\":\"").append(p.kind()).append("List\",\"apiVersion\":\"").append(p.apiVersion())
                .append("\",\"metadata\":{\"resourceVersion\":\"").append(snapshot.rv()).append('"');
        if (end < snapshot.items().size()) {
            String next = Base64.getUrlEncoder().withoutPadding().encodeToString((id + ":" + end).getBytes(StandardCharsets.UTF_8));
            body.append(",\"continue\":\"").append(next).append("\",\"remainingItemCount\":").append(snapshot.items().size() - end);
        }
        body.append("},\"items\":[");
        for (int i = offset; i < end; i++) {
            if (i > offset) {
                body.append(',');
            }
            body.append(snapshot.items().get(i));
        }
        body.append("]}");
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(body.toString());
    }

    /**
     * resourceVersion unset or "0": synthetic ADDED events of the current state, then changes. Otherwise exactly the
     * changes after it, or, if the history no longer reaches back that far, an ERROR event with a 410 Status (the API
     * server's "too old resource version") and the end of the watch.
     */
    @Override
    public MockResponse handleWatch(String path) {
        ResourcePath p = parse(path);
        if (p == null) {
            return status(HttpURLConnection.HTTP_NOT_FOUND, "NotFound", "no such resource: " + path);
        }
        String from = p.query().get("resourceVersion");
        long fromRv;
        try {
            fromRv = from == null || from.isEmpty() ? 0 : Long.parseLong(from);
        } catch (NumberFormatException e) {
            return status(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", "invalid resource version: " + from);
        }
        SimulatedWatch watch = new SimulatedWatch(queryOf(path, p), "true".equals(p.query().get("allowWatchBookmarks")),
                p.apiVersion(), p.kind(), watchBacklogLimit, firstEventDelayMillis, watches::remove);
        synchronized (state) {
            if (fromRv == 0) {
                AttributeSet query = queryOf(path, p);
                List<String> current = new ArrayList<>();
                synchronized (map) {
                    for (Map.Entry<AttributeSet, String> e : map.entrySet()) {
                        if (e.getKey().matches(query)) {
                            current.add(e.getValue());
                        }
                    }
                }
                watch.currentState(current);
            } else if (fromRv < compactedRv) {
                watch.only(SimulatedWatch.message("ERROR", "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                        + "\"status\":\"Failure\",\"message\":\"too old resource version: " + fromRv + " (" + (compactedRv + 1) + ")\","
                        + "\"reason\":\"Expired\",\"code\":410}"));
                return new MockResponse().withWebSocketUpgrade(watch);
            } else {
                List<Change> since = new ArrayList<>();
                Iterator<Change> newestFirst = history.descendingIterator();
                while (newestFirst.hasNext()) {
                    Change c = newestFirst.next();
                    if (c.rv() <= fromRv) {
                        break;
                    }
                    since.add(c);
                }
                watch.replay(since.reversed());
            }
            watches.add(watch);
        }
        String timeout = p.query().get("timeoutSeconds");
        if (timeout != null) {
            timers.schedule(() -> watch.end(1000, "watch timeout"), Long.parseLong(timeout), TimeUnit.SECONDS);
        }
        return new MockResponse().withWebSocketUpgrade(watch);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    static ResourcePath parse(String path) {
        URI uri = URI.create(path);
        String rawPath = uri.getRawPath();
        Matcher core = CORE_PATH.matcher(rawPath);
        Matcher group = GROUP_PATH.matcher(rawPath);
        Matcher m;
        String g;
        if (core.matches()) {
            m = core;
            g = "";
        } else if (group.matches()) {
            m = group;
            g = group.group("group");
        } else {
            return null;
        }
        Map<String, String> query = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return new ResourcePath(g, m.group("version"), m.group("plural"), m.group("namespace"), m.group("name"), query);
    }

    /**
     * fabric8's query from the path, plus what it misses: a core path (/api/v1) must not match objects of a named
     * group with the same plural (events.k8s.io/v1 events are not core/v1 events).
     */
    private AttributeSet queryOf(String path, ResourcePath p) {
        AttributeSet query = extractor.fromPath(path);
        if (p.core()) {
            query = query.add(new Attribute(KubernetesAttributesExtractor.API, "", AttributeType.NOT_EXISTS));
        }
        return query;
    }

    private static AttributeSet attributesOf(ObjectKey key, ObjectNode metadata) {
        List<Attribute> attributes = new ArrayList<>();
        if (!key.group().isEmpty()) {
            attributes.add(new Attribute(KubernetesAttributesExtractor.API, key.group()));
        }
        attributes.add(new Attribute(KubernetesAttributesExtractor.VERSION, key.version()));
        attributes.add(new Attribute(KubernetesAttributesExtractor.PLURAL, key.plural()));
        attributes.add(new Attribute(KubernetesAttributesExtractor.NAME, key.name()));
        attributes.add(new Attribute(KubernetesAttributesExtractor.METADATA_NAME, key.name()));
        if (key.namespace() != null) {
            attributes.add(new Attribute(KubernetesAttributesExtractor.NAMESPACE, key.namespace()));
            attributes.add(new Attribute(KubernetesAttributesExtractor.METADATA_NAMESPACE, key.namespace()));
        }
        metadata.path("labels").fields().forEachRemaining(
                label -> attributes.add(new Attribute("labels:" + label.getKey(), label.getValue().asText())));
        return new AttributeSet(attributes);
    }

    private static ObjectKey keyOf(AttributeSet attributes) {
        String group = valueOf(attributes, KubernetesAttributesExtractor.API);
        return new ObjectKey(group == null ? "" : group, valueOf(attributes, KubernetesAttributesExtractor.VERSION),
                valueOf(attributes, KubernetesAttributesExtractor.PLURAL), valueOf(attributes, KubernetesAttributesExtractor.NAMESPACE),
                valueOf(attributes, KubernetesAttributesExtractor.NAME));
    }

    private static String valueOf(AttributeSet attributes, String key) {
        Attribute a = attributes.getAttribute(key);
        return a == null || a.getValues().isEmpty() ? null : a.getValues().get(0).toString();
    }

    /** "events" -> "Event", "deployments" -> "Deployment": enough for the kinds the simulation serves. */
    static String kindOf(String plural) {
        String singular = plural.endsWith("ses") ? plural.substring(0, plural.length() - 2)
                : plural.endsWith("s") ? plural.substring(0, plural.length() - 1) : plural;
        return Character.toUpperCase(singular.charAt(0)) + singular.substring(1);
    }

    private static MockResponse status(int code, String reason, String message) {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status").put("apiVersion", "v1").putObject("metadata");
        status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
        return new MockResponse().setResponseCode(code).setBody(writeJson(status));
    }

    private static String withResourceVersion(String json, long rv) {
        ObjectNode tree = (ObjectNode) readTree(json);
        ((ObjectNode) tree.get("metadata")).put("resourceVersion", Long.toString(rv));
        return writeJson(tree);
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage(), e);
        }
    }

    static String writeJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
