package io.slipway.testkit.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.server.mock.crud.PatchHandler;
import io.fabric8.kubernetes.client.server.mock.crud.PostHandler;
import io.fabric8.kubernetes.client.server.mock.crud.PutHandler;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
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
 * <p>And with what it lacks of the API server's write semantics: pods defaulted, validated, admitted by mutating
 * webhooks ({@link MutatingWebhookAdmission}) and held to their immutable spec ({@link PodStrategy}); the status
 * subresource of pods; optimistic concurrency on {@code /status} too; graceful deletion with finalizers,
 * {@code deletionGracePeriodSeconds} and the propagation policies; real-looking {@code generateName} names; and
 * errors shaped like the real {@code Status} ({@link ApiError}). Simulated controllers observe its changes
 * ({@link ChangeObserver}) and write through {@link #update} and {@link #delete} rather than HTTP, and so produce the
 * same resourceVersions and watch events.
 *
 * <p>Locks, always in this order: {@link #writes} (one write at a time, so that a read-modify-write of fabric8's
 * handlers and of the simulated components cannot lose another's change), then {@link #state} (the history, the
 * index, the watches). Observers run holding both and must only note and queue. fabric8's own lock is not taken for
 * writes: every write path goes through {@link #writes}.
 */
final class SimulatedApiServer extends KubernetesCrudDispatcher {
    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final String RESOURCE = "(?:/namespaces/(?<namespace>[^/?]+))?/(?<plural>[^/?]+)(?:/(?<name>[^/?]+)"
            + "(?:/(?<subresource>status|scale|binding|eviction|ephemeralcontainers|resize|log|exec|attach|portforward|proxy))?)?/?(?:\\?.*)?$";
    private static final Pattern CORE_PATH = Pattern.compile("^/api/(?<version>[^/?]+)" + RESOURCE);
    private static final Pattern GROUP_PATH = Pattern.compile("^/apis/(?<group>[^/?]+)/(?<version>[^/?]+)" + RESOURCE);
    private static final int SNAPSHOTS = 32;

    /** One committed change; {@code previous} of a deletion carries the deletion's own resourceVersion. */
    record Change(long rv, AttributeSet before, AttributeSet after, String previous, String current) {
    }

    /** Where an object lives: the identity the API server stores it under. */
    record ObjectKey(String group, String version, String plural, String namespace, String name) {
        boolean isPod() {
            return group.isEmpty() && "pods".equals(plural);
        }

        /** The URL path of this object, as a client would write it. */
        String path() {
            return (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
                    + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural + "/" + name;
        }
    }

    /** A parsed resource path; {@code subresource} is e.g. "status" for {@code .../pods/web-0/status}. */
    record ResourcePath(String group, String version, String plural, String namespace, String name, String subresource,
                        Map<String, String> query) {
        boolean core() {
            return group.isEmpty();
        }

        String apiVersion() {
            return core() ? version : group + "/" + version;
        }

        String kind() {
            return SimulatedApiServer.kindOf(plural);
        }

        ObjectKey key(String objectName) {
            return new ObjectKey(group, version, plural, namespace, objectName);
        }

        boolean isPods() {
            return core() && "pods".equals(plural);
        }
    }

    /**
     * Told of every committed change of any object but an Event, in resourceVersion order, holding the server's
     * locks: an observer must only note and queue. {@code object} is the new state (not to be modified), null when
     * the object is gone.
     */
    interface ChangeObserver {
        void changed(ObjectKey key, ObjectNode object);
    }

    /** metav1.DeleteOptions, from the request body or its query (kubectl and client-go use either). */
    record DeleteOptions(Long gracePeriodSeconds, String propagationPolicy, String uid, String resourceVersion) {
        static final DeleteOptions BACKGROUND = new DeleteOptions(null, "Background", null, null);

        static DeleteOptions of(String body, Map<String, String> query) {
            JsonNode options = body == null || body.isBlank() ? JSON.createObjectNode() : readTree(body);
            Long grace = options.hasNonNull("gracePeriodSeconds") ? Long.valueOf(options.get("gracePeriodSeconds").asLong())
                    : query.containsKey("gracePeriodSeconds") ? Long.valueOf(query.get("gracePeriodSeconds")) : null;
            String policy = options.hasNonNull("propagationPolicy") ? options.get("propagationPolicy").asText()
                    : query.get("propagationPolicy");
            String orphan = options.hasNonNull("orphanDependents") ? options.get("orphanDependents").asText() : query.get("orphanDependents");
            if (policy == null && orphan != null) {
                policy = Boolean.parseBoolean(orphan) ? "Orphan" : "Background";
            }
            if (policy != null && !List.of("Orphan", "Background", "Foreground").contains(policy)) {
                throw ApiError.badRequest("propagationPolicy: Unsupported value: \"" + policy
                        + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
            }
            JsonNode preconditions = options.path("preconditions");
            return new DeleteOptions(grace, policy, preconditions.hasNonNull("uid") ? preconditions.get("uid").asText() : null,
                    preconditions.hasNonNull("resourceVersion") ? preconditions.get("resourceVersion").asText() : null);
        }
    }

    private enum Verb { CREATE, UPDATE, PATCH }

    /** The HTTP write under way on this thread: what {@link #processEvent} needs to know of it, and what it stored. */
    private static final class Write {
        final Verb verb;
        final ResourcePath path;
        String stored;

        Write(Verb verb, ResourcePath path) {
            this.verb = verb;
            this.path = path;
        }
    }

    private record ListSnapshot(long rv, List<String> items) {
    }

    static final String ORPHAN_FINALIZER = "orphan";
    static final String FOREGROUND_FINALIZER = "foregroundDeletion";
    private static final String NAME_CHARACTERS = "bcdfghjklmnpqrstvwxz2456789"; // apiserver's names.SimpleNameGenerator

    private final ReentrantLock writes = new ReentrantLock();
    private final Object state = new Object();
    private final ThreadLocal<Write> current = new ThreadLocal<>();
    private final List<ChangeObserver> observers = new CopyOnWriteArrayList<>();
    private final PostHandler creates;
    private final PutHandler replaces = new PutHandler(this);
    private final PatchHandler patches = new PatchHandler(this);
    private final MutatingWebhookAdmission admission = new MutatingWebhookAdmission(this);
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
        this.creates = new PostHandler(extractor, this);
        observers.add(admission);
        scheduleBookmarks();
    }

    /** Adds an observer of every later change (see {@link ChangeObserver}). */
    void observe(ChangeObserver observer) {
        observers.add(observer);
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
        admission.close();
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

    /**
     * Records a change the map already holds and tells every watch and observer, in resourceVersion order.
     * {@code object} is the new state as a tree (null for a deletion and for Events, which no observer watches).
     */
    private void commit(Change change, ObjectNode object) {
        ObjectKey key = keyOf(change.after() != null ? change.after() : change.before());
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
        if (!EventViews.isEvent(key.group(), key.plural())) {
            for (ChangeObserver o : observers) {
                o.changed(key, object);
            }
        }
    }

    // ---- writes over HTTP -------------------------------------------------------------------------------------------

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (request.method() == HttpMethod.DELETE) {
            return delete(request.getPath(), request.getBody() == null ? null : request.getUtf8Body());
        }
        return super.dispatch(request);
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        MockResponse review = selfSubjectRulesReview(request);
        return review != null ? review : write(Verb.CREATE, request);
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return write(Verb.UPDATE, request);
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return write(Verb.PATCH, request);
    }

    @Override
    public MockResponse handleDelete(String path) {
        return delete(path, null);
    }

    /** Pods have a status subresource like custom resources whose CRD declares one: writes to the pod leave status. */
    @Override
    public boolean isStatusSubresourceEnabledForResource(String path) {
        ResourcePath p = parse(path);
        return p != null && p.isPods() || super.isStatusSubresourceEnabledForResource(path);
    }

    /**
     * A POST, PUT or PATCH: admission of a new pod first (it may call webhooks, so no lock is held), then fabric8's
     * handler under {@link #writes}, whose result {@link #processEvent} checks against the stored object.
     */
    private MockResponse write(Verb verb, RecordedRequest request) {
        String path = request.getPath();
        ResourcePath p = parse(path);
        String body = request.getBody() == null ? "" : request.getUtf8Body();
        String contentType = request.getHeader("Content-Type");
        try {
            if (verb == Verb.CREATE && p != null && p.name() == null) {
                body = prepareCreate(p, body);
            }
            if (p != null && "scale".equals(p.subresource()) && verb != Verb.CREATE) {
                return writeScale(verb, p, contentType, body);
            }
            if (p != null && p.subresource() != null && !"status".equals(p.subresource())) {
                throw ApiError.of(404, "NotFound", "the server could not find the requested resource (the simulation serves no "
                        + p.subresource() + " subresource)", null);
            }
            if (verb == Verb.PATCH && !servedPatch(contentType)) {
                throw ApiError.unsupportedMediaType(contentType);
            }
            Write write = new Write(verb, p);
            writes.lock();
            current.set(write);
            try {
                if (verb == Verb.UPDATE && p != null && "status".equals(p.subresource())) {
                    checkResourceVersion(p, body); // fabric8 compares the stored object with itself on /status
                }
                MockResponse response = switch (verb) {
                    case CREATE -> creates.handle(path, contentType, body);
                    case UPDATE -> replaces.handle(path, contentType, body);
                    case PATCH -> patch(path, contentType, body);
                };
                return answer(response, write);
            } finally {
                current.remove();
                writes.unlock();
            }
        } catch (KubernetesCrudDispatcherException e) {
            return translate(e, verb, p, body).response();
        } catch (ApiError e) {
            return e.response();
        }
    }

    /** The scale paths of {@code p}'s resource; a 404 as the API server answers for a resource without a scale subresource. */
    private ScaleSubresource.Paths scalePaths(ResourcePath p) {
        ObjectNode crd = p.core() ? null : get(new ObjectKey("apiextensions.k8s.io", "v1", "customresourcedefinitions", null, p.plural() + "." + p.group()));
        ScaleSubresource.Paths paths = ScaleSubresource.paths(p, crd);
        if (paths == null) {
            throw ApiError.of(404, "NotFound", "the server could not find the requested resource", null);
        }
        return paths;
    }

    /**
     * A PUT or PATCH of the scale subresource: the object's replicas change and nothing else, a Scale with a stale
     * resourceVersion is refused with 409, and the answer is the new Scale.
     */
    private MockResponse writeScale(Verb verb, ResourcePath p, String contentType, String body) {
        ScaleSubresource.Paths paths = scalePaths(p);
        if (verb == Verb.PATCH && !servedPatch(contentType)) {
            throw ApiError.unsupportedMediaType(contentType);
        }
        ObjectKey key = p.key(p.name());
        JsonNode request = readTree(body);
        update(key, null, stored -> {
            ObjectNode scale = ScaleSubresource.scaleOf(stored, paths);
            JsonNode wanted = verb == Verb.PATCH ? ScaleSubresource.patch(scale, contentType, request) : request;
            String rv = wanted.path("metadata").path("resourceVersion").asText("");
            if (!rv.isEmpty() && !rv.equals(stored.path("metadata").path("resourceVersion").asText())) {
                throw ApiError.modified(key);
            }
            JsonNode before = stored.path("spec").deepCopy();
            ObjectNode changed = ScaleSubresource.withReplicas(stored, paths, wanted, key);
            if (!same(before, changed.path("spec"))) { // a change of the spec, as any other: a new generation
                ObjectNode metadata = (ObjectNode) changed.get("metadata");
                metadata.put("generation", metadata.path("generation").asLong(1) + 1);
            }
            return changed;
        });
        ObjectNode now = get(key);
        if (now == null) {
            throw ApiError.notFound(key);
        }
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(writeJson(ScaleSubresource.scaleOf(now, paths)));
    }

    /**
     * fabric8's patch handler, except that a JSON patch that cannot be applied (a {@code test} operation that fails, a
     * path that does not exist) is answered as the API server answers it, 422 with the patch library's words and
     * nothing stored, where fabric8's would let the exception escape and leave the client without an answer.
     */
    private MockResponse patch(String path, String contentType, String body) throws KubernetesCrudDispatcherException {
        ResourcePath p = parse(path);
        if (p != null && p.name() != null && contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/merge-patch+json")) {
            // fabric8's merge patch stores a null where RFC 7386 removes the key (a label set to null stays, as null):
            // merged here, then written as the PUT it amounts to, with the same concurrency check on a resourceVersion
            ObjectNode stored = get(p.key(p.name()));
            if (stored != null) {
                JsonNode patch = readTree(body);
                String rv = patch.path("metadata").path("resourceVersion").asText("");
                String storedRv = stored.path("metadata").path("resourceVersion").asText();
                if (!rv.isEmpty() && !rv.equals(storedRv)) {
                    throw ApiError.modified(p.key(p.name()));
                }
                JsonNode merged = MergePatch.apply(stored, patch);
                if (!(merged instanceof ObjectNode object) || !(object.get("metadata") instanceof ObjectNode metadata)) {
                    throw ApiError.badRequest("the merge patch does not leave an object with metadata");
                }
                metadata.put("resourceVersion", storedRv);
                return replaces.handle(path, "application/json", writeJson(object));
            }
        }
        try {
            return patches.handle(path, contentType, body);
        } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
            throw ApiError.of(422, "Invalid", "the server rejected our request due to an error in our request: " + e.getMessage(), null);
        }
    }

    /** JSON patch and JSON merge patch; not strategic merge patch (fabric8 does not implement it) nor server-side apply. */
    private static boolean servedPatch(String contentType) {
        String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        return type.equals("application/json-patch+json") || type.equals("application/merge-patch+json");
    }

    /** What the client gets: the object as stored (it may differ from what fabric8's handler built), or a real Status. */
    private MockResponse answer(MockResponse response, Write write) {
        ResourcePath p = write.path;
        if (p != null && response.code() == HttpURLConnection.HTTP_NOT_FOUND && p.name() != null) {
            return ApiError.notFound(p.key(p.name())).response();
        }
        if (write.stored != null) {
            response.setBody(write.stored);
        }
        if (write.verb == Verb.PATCH && response.code() == HttpURLConnection.HTTP_ACCEPTED) {
            response.setResponseCode(HttpURLConnection.HTTP_OK); // fabric8 answers 202; the API server 200
        }
        return response;
    }

    /** fabric8's errors as the API server words them: reason Conflict / AlreadyExists / UnsupportedMediaType. */
    private static ApiError translate(KubernetesCrudDispatcherException e, Verb verb, ResourcePath p, String body) {
        if (p != null && e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
            if (verb == Verb.CREATE) {
                String name = readTree(body).path("metadata").path("name").asText();
                return ApiError.alreadyExists(p.key(name));
            }
            return ApiError.modified(p.key(p.name()));
        }
        if (e.getCode() == 415) {
            return ApiError.unsupportedMediaType("this patch type");
        }
        return ApiError.fromStatus((ObjectNode) JSON.valueToTree(e.toStatus()));
    }

    private void checkResourceVersion(ResourcePath p, String body) {
        String wanted = readTree(body).path("metadata").path("resourceVersion").asText("");
        ObjectNode stored = get(p.key(p.name()));
        if (stored != null && !wanted.isEmpty() && !wanted.equals(stored.path("metadata").path("resourceVersion").asText())) {
            throw ApiError.modified(p.key(p.name()));
        }
    }

    /**
     * A new object before it is stored: a real-looking name for {@code generateName}; a pod defaulted, passed through
     * the mutating webhooks, defaulted again and validated, in the API server's order.
     */
    private String prepareCreate(ResourcePath p, String body) {
        boolean pod = p.isPods() && p.subresource() == null;
        if (!pod && !body.contains("\"generateName\"")) {
            return body;
        }
        if (!(readTree(body) instanceof ObjectNode object) || !(object.get("metadata") instanceof ObjectNode)) {
            return body; // fabric8's handler refuses it
        }
        if (pod) {
            PodStrategy.applyDefaults(object);
            object = admission.admit(p, object);
            PodStrategy.applyDefaults(object);
        }
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        if (metadata.path("name").asText("").isEmpty() && !metadata.path("generateName").asText("").isEmpty()) {
            metadata.put("name", generateName(p, metadata.get("generateName").asText()));
        }
        if (pod) {
            List<ApiError.Cause> causes = PodStrategy.validate(object);
            if (!causes.isEmpty()) {
                throw ApiError.invalid("Pod", p.key(metadata.path("name").asText()), metadata.path("name").asText(), causes);
            }
        }
        return writeJson(object);
    }

    /** {@code generateName} and five random characters, as the API server's name generator makes them. */
    private String generateName(ResourcePath p, String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String name;
        do {
            StringBuilder b = new StringBuilder(prefix);
            for (int i = 0; i < 5; i++) {
                b.append(NAME_CHARACTERS.charAt(random.nextInt(NAME_CHARACTERS.length())));
            }
            name = b.toString();
        } while (get(p.key(name)) != null);
        return name;
    }

    /**
     * Every write through fabric8's CRUD handlers (POST, PUT, PATCH) and every deletion ends here. An HTTP write is
     * checked against the stored object first: a pod's spec may change only where the API server lets it, a
     * deletion in progress cannot be undone, and a write that changes nothing stores nothing.
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        synchronized (state) {
            String existing = oldAttributes == null ? null : map.get(oldAttributes);
            if (existing == null && newState == null) {
                return; // deleted already, e.g. through its other API view
            }
            ObjectNode tree = newState == null ? null : (ObjectNode) readTree(newState);
            Write write = current.get();
            if (tree != null && write != null && write.path != null) {
                ObjectNode old = existing == null ? null : (ObjectNode) readTree(existing);
                if (!admitWrite(write.path, old, tree)) {
                    write.stored = existing;
                    return;
                }
                newState = writeJson(tree);
                write.stored = newState;
            }
            super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
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
            ObjectKey key = keyOf(after != null ? after : oldAttributes);
            boolean event = EventViews.isEvent(key.group(), key.plural());
            commit(new Change(rv, oldAttributes, after, previous, newState), event ? null : tree);
            if (event) {
                mirror(key, tree, rv);
            }
        }
    }

    /** False if the write changes nothing (it is not stored); throws if the API server would refuse it. */
    private boolean admitWrite(ResourcePath p, ObjectNode old, ObjectNode updated) {
        if (old == null) {
            if (p.isPods()) {
                updated.set("status", PodStrategy.initialStatus(updated));
            }
            return true;
        }
        ObjectNode oldMetadata = (ObjectNode) old.get("metadata");
        ObjectNode metadata = (ObjectNode) updated.get("metadata");
        for (String field : List.of("deletionTimestamp", "deletionGracePeriodSeconds")) {
            if (oldMetadata.has(field)) {
                metadata.set(field, oldMetadata.get(field));
            } else {
                metadata.remove(field);
            }
        }
        if (p.isPods() && p.subresource() == null) {
            PodStrategy.applyDefaults(updated);
            List<ApiError.Cause> causes = PodStrategy.validateUpdate(old, updated);
            if (!causes.isEmpty()) {
                String name = oldMetadata.path("name").asText();
                throw ApiError.invalid("Pod", p.key(name), name, causes);
            }
            boolean specChanged = !same(old.path("spec"), updated.path("spec"));
            metadata.put("generation", oldMetadata.path("generation").asLong(1) + (specChanged ? 1 : 0));
        }
        // fabric8 gave the write a new resourceVersion if it saw a difference; compare without it
        String assigned = metadata.path("resourceVersion").asText();
        String oldRv = oldMetadata.path("resourceVersion").asText();
        metadata.put("resourceVersion", oldRv);
        if (same(old, updated)) {
            return false;
        }
        metadata.put("resourceVersion", assigned.equals(oldRv) ? Long.toString(requestResourceVersion()) : assigned);
        return true;
    }

    // ---- deletion ---------------------------------------------------------------------------------------------------

    /** An HTTP DELETE of one object (graceful, with finalizers and a propagation policy) or of a collection. */
    private MockResponse delete(String path, String body) {
        ResourcePath p = parse(path);
        if (p == null) {
            return super.handleDelete(path);
        }
        try {
            if (p.subresource() != null) {
                throw ApiError.methodNotAllowed("the server does not allow this method on the requested resource");
            }
            DeleteOptions options = DeleteOptions.of(body, p.query());
            if (p.name() != null) {
                return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(delete(p.key(p.name()), options));
            }
            AttributeSet query = queryOf(path, p);
            List<ObjectKey> matching = new ArrayList<>();
            synchronized (state) {
                synchronized (map) {
                    for (AttributeSet stored : map.keySet()) {
                        if (stored.matches(query)) {
                            matching.add(keyOf(stored));
                        }
                    }
                }
            }
            StringBuilder items = new StringBuilder();
            for (ObjectKey key : matching) {
                try {
                    String deleted = delete(key, options);
                    items.append(items.isEmpty() ? "" : ",").append(deleted);
                } catch (ApiError e) {
                    if (e.code() != HttpURLConnection.HTTP_NOT_FOUND) {
                        throw e;
                    }
                }
            }
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody("{\"kind\":\"" + p.kind() + "List\",\"apiVersion\":\""
                    + p.apiVersion() + "\",\"metadata\":{\"resourceVersion\":\"" + resourceVersion() + "\"},\"items\":[" + items + "]}");
        } catch (ApiError e) {
            return e.response();
        }
    }

    /**
     * Deletes as the API server does (genericregistry.Store.Delete with the pod strategy's graceful deletion): a pod
     * bound to a node gets {@code deletionTimestamp} = now + its grace period and stays until its kubelet is done;
     * an object with finalizers (the propagation policy's {@code orphan}/{@code foregroundDeletion} included) gets
     * {@code deletionTimestamp} and stays until they are removed; anything else is gone at once. Returns the object as
     * the response shows it.
     */
    String delete(ObjectKey key, DeleteOptions options) {
        writes.lock();
        try {
            ObjectNode object = get(key);
            if (object == null) {
                throw ApiError.notFound(key);
            }
            ObjectNode metadata = (ObjectNode) object.get("metadata");
            checkPreconditions(key, metadata, options);
            long grace = key.isPod() ? podGracePeriod(object, options) : 0;
            List<String> finalizers = strings(metadata.path("finalizers"));
            List<String> wanted = finalizersFor(finalizers, options.propagationPolicy());
            if (grace == 0 && wanted.isEmpty()) {
                remove(key);
                return writeJson(object);
            }
            boolean changed = !wanted.equals(finalizers);
            if (!metadata.hasNonNull("deletionTimestamp")) {
                metadata.put("deletionTimestamp", Instant.now().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
                metadata.put("deletionGracePeriodSeconds", grace);
                changed = true;
            } else if (key.isPod() && grace < metadata.path("deletionGracePeriodSeconds").asLong()) {
                metadata.put("deletionTimestamp", Instant.now().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
                metadata.put("deletionGracePeriodSeconds", grace); // a shorter grace period replaces a longer one
                changed = true;
            }
            if (changed) {
                metadata.set("finalizers", JSON.valueToTree(wanted));
                if (wanted.isEmpty()) {
                    metadata.remove("finalizers");
                }
                store(key, object);
            }
            return writeJson(object);
        } finally {
            writes.unlock();
        }
    }

    private static void checkPreconditions(ObjectKey key, JsonNode metadata, DeleteOptions options) {
        String uid = metadata.path("uid").asText();
        if (options.uid() != null && !options.uid().equals(uid)) {
            throw ApiError.conflict(key, "Precondition failed: UID in precondition: " + options.uid() + ", UID in object meta: " + uid);
        }
        String rv = metadata.path("resourceVersion").asText();
        if (options.resourceVersion() != null && !options.resourceVersion().equals(rv)) {
            throw ApiError.conflict(key, "Precondition failed: ResourceVersion in precondition: " + options.resourceVersion()
                    + ", ResourceVersion in object meta: " + rv);
        }
    }

    /** The pod strategy's CheckGracefulDelete: no grace for a pod no kubelet runs (unbound or finished). */
    private static long podGracePeriod(JsonNode pod, DeleteOptions options) {
        String phase = pod.path("status").path("phase").asText();
        if (pod.path("spec").path("nodeName").asText("").isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
            return 0;
        }
        long grace = options.gracePeriodSeconds() != null ? options.gracePeriodSeconds()
                : pod.path("spec").path("terminationGracePeriodSeconds").asLong(30);
        return grace < 0 ? 1 : grace;
    }

    /** deletionFinalizersForGarbageCollection: an explicit policy replaces the garbage collector's finalizers. */
    private static List<String> finalizersFor(List<String> finalizers, String policy) {
        if (policy == null) {
            return finalizers;
        }
        List<String> wanted = new ArrayList<>(finalizers);
        wanted.remove(ORPHAN_FINALIZER);
        wanted.remove(FOREGROUND_FINALIZER);
        if (policy.equals("Orphan")) {
            wanted.add(ORPHAN_FINALIZER);
        } else if (policy.equals("Foreground")) {
            wanted.add(FOREGROUND_FINALIZER);
        }
        return wanted;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** Removes the object for real: a DELETED watch event with a resourceVersion of its own. */
    private void remove(ObjectKey key) {
        synchronized (state) {
            AttributeSet stored = index.get(key);
            if (stored != null) {
                processEvent(key.path(), stored, stored, null, null);
            }
        }
    }

    // ---- the simulated control plane's own reads and writes -----------------------------------------------------------

    /** A copy of the object stored under {@code key}, or null. */
    ObjectNode get(ObjectKey key) {
        String json;
        synchronized (state) {
            AttributeSet stored = index.get(key);
            json = stored == null ? null : map.get(stored);
        }
        return json == null ? null : (ObjectNode) readTree(json);
    }

    /** Copies of every stored object of one resource, in every namespace. */
    List<ObjectNode> list(String group, String plural) {
        List<String> jsons = new ArrayList<>();
        synchronized (state) {
            for (Map.Entry<ObjectKey, AttributeSet> e : index.entrySet()) {
                if (e.getKey().group().equals(group) && e.getKey().plural().equals(plural)) {
                    jsons.add(map.get(e.getValue()));
                }
            }
        }
        List<ObjectNode> objects = new ArrayList<>(jsons.size());
        for (String json : jsons) {
            if (json != null) {
                objects.add((ObjectNode) readTree(json));
            }
        }
        return objects;
    }

    /**
     * Changes one object atomically with respect to every other write, as a client's write through the status
     * subresource or of metadata would, but without HTTP: {@code change} gets a copy and returns it changed (or null
     * to leave it). Only the object with {@code uid} is changed (null: whichever is stored), as with a uid
     * precondition. An object being deleted whose last finalizer goes (a pod: and whose grace period is over) is gone.
     * Returns the stored result, or null if nothing was stored.
     */
    ObjectNode update(ObjectKey key, String uid, UnaryOperator<ObjectNode> change) {
        writes.lock();
        try {
            ObjectNode stored = get(key);
            if (stored == null || uid != null && !uid.equals(stored.path("metadata").path("uid").asText())) {
                return null;
            }
            ObjectNode changed = change.apply(stored.deepCopy());
            if (changed == null || same(changed, stored)) {
                return null;
            }
            JsonNode metadata = changed.path("metadata");
            if (metadata.hasNonNull("deletionTimestamp") && metadata.path("finalizers").isEmpty()
                    && (!key.isPod() || metadata.path("deletionGracePeriodSeconds").asLong() == 0)) {
                remove(key);
                return null;
            }
            store(key, changed);
            return changed;
        } finally {
            writes.unlock();
        }
    }

    /** Creates an object the way a POST would (uid, creationTimestamp, generation 1), failing if it exists. */
    ObjectNode create(ObjectKey key, ObjectNode object) {
        writes.lock();
        try {
            if (get(key) != null) {
                throw ApiError.alreadyExists(key);
            }
            store(key, object);
            return object;
        } finally {
            writes.unlock();
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
        return store(new ObjectKey(group, version, plural, metadata.path("namespace").asText(null), metadata.path("name").asText()), object);
    }

    /** {@link #store(String, String, String, ObjectNode)} under a known key. */
    long store(ObjectKey key, ObjectNode object) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        writes.lock();
        try {
            synchronized (state) {
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
                boolean event = EventViews.isEvent(key.group(), key.plural());
                commit(new Change(rv, before, after, previous, json), event ? null : object);
                if (event) {
                    mirror(key, object, rv);
                }
                return rv;
            }
        } finally {
            writes.unlock();
        }
    }

    /** Writes the other API view of the Event just committed under {@code key} (same name, uid and resourceVersion). */
    private void mirror(ObjectKey key, ObjectNode event, long rv) {
        ObjectKey other = new ObjectKey(EventViews.otherGroup(key.group()), "v1", "events", key.namespace(), key.name());
        AttributeSet before = index.get(other);
        String previous = before == null ? null : map.remove(before);
        if (event == null) {
            if (previous != null) {
                commit(new Change(rv, before, null, withResourceVersion(previous, rv), null), null);
            }
            return;
        }
        ObjectNode view = EventViews.otherView(event);
        ((ObjectNode) view.get("metadata")).put("resourceVersion", Long.toString(rv));
        String json = writeJson(view);
        AttributeSet after = attributesOf(other, (ObjectNode) view.get("metadata"));
        map.put(after, json);
        commit(new Change(rv, before, after, previous, json), null);
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
     * Lease. Null for any other request.
     */
    private MockResponse selfSubjectRulesReview(RecordedRequest request) {
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
        return null;
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
        if (p.name() != null && "scale".equals(p.subresource())) {
            try {
                ScaleSubresource.Paths paths = scalePaths(p);
                ObjectNode stored = get(p.key(p.name()));
                return stored == null ? ApiError.notFound(p.key(p.name())).response()
                        : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(writeJson(ScaleSubresource.scaleOf(stored, paths)));
            } catch (ApiError e) {
                return e.response();
            }
        }
        if (p.name() != null) {
            synchronized (state) {
                AttributeSet stored = index.get(new ObjectKey(p.group(), p.version(), p.plural(), p.namespace(), p.name()));
                String value = stored == null ? null : map.get(stored);
                return value == null ? ApiError.notFound(p.key(p.name())).response()
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
        return new ResourcePath(g, m.group("version"), m.group("plural"), m.group("namespace"), m.group("name"), m.group("subresource"), query);
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

    /** Jackson's equality, but 30 and 30L are the same number (a default written as int, a stored one read as long). */
    static boolean same(JsonNode a, JsonNode b) {
        return a.equals(SAME_NUMBERS, b);
    }

    private static final Comparator<JsonNode> SAME_NUMBERS = (a, b) -> a.equals(b)
            || a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;

    static String writeJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
