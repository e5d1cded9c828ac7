package io.slipway.provision.aws;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

/**
 * The {@code aws} provider: EC2 instances through the AWS SDK v2 client. Every create is one RunInstances with the
 * request's token as ClientToken and the pool, role and token as tags; describes go 100 ids a call under an
 * {@code instance-id} filter (so an instance EC2 does not show yet is just absent, not an error failing the batch).
 * The SDK's own retries are off: the caller paces and backs off, and two retry layers would multiply the calls.
 */
public final class AwsEc2Provider implements NodeProvider {
    public static final String KIND = "aws";

    private final AwsEc2Config config;
    private final Ec2Client ec2;

    public AwsEc2Provider(AwsEc2Config config) {
        this.config = config;
        this.ec2 = clientFor(config);
    }

    private static Ec2Client clientFor(AwsEc2Config config) {
        Ec2ClientBuilder builder = Ec2Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.callTimeout())
                        .socketTimeout(config.callTimeout())
                        .build())
                .overrideConfiguration(o -> o
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(config.callTimeout())
                        .apiCallTimeout(config.callTimeout()));
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        return builder.build();
    }

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * The region and the access key id (an identifier, not the secret), and the endpoint when one is set: EC2's quotas
     * are per account and region, and an access key is the closest to an account a client knows without asking STS
     * (two IAM users of one account still pace apart).
     */
    @Override
    public String paceKey() {
        return KIND + ":" + config.region() + ":" + config.accessKeyId() + (config.endpoint() == null ? "" : ":" + config.endpoint());
    }

    @Override
    public Created create(CreateRequest request) {
        String what = "RunInstances for pool " + request.poolId() + " role " + request.role() + " (token "
                + request.token() + ")";
        String image = request.image() != null ? request.image() : config.defaultImageId();
        if (image == null) {
            throw new ProviderException(ProviderException.Kind.INVALID, "MissingImage", what
                    + ": the role names no image (AMI id) and the aws provider has no default image configured");
        }
        String type = request.size() != null ? request.size() : config.defaultInstanceType();
        Map<String, String> tags = new LinkedHashMap<>(request.tags());
        tags.put(Ec2Tags.POOL, request.poolId());
        tags.put(Ec2Tags.ROLE, request.role());
        tags.put(Ec2Tags.TOKEN, request.token());
        RunInstancesRequest.Builder run = RunInstancesRequest.builder()
                .imageId(image)
                .instanceType(type)
                .minCount(1)
                .maxCount(request.count())
                .clientToken(request.token())
                .tagSpecifications(TagSpecification.builder()
                        .resourceType(ResourceType.INSTANCE)
                        .tags(tags.entrySet().stream().map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build()).toList())
                        .build());
        if (config.keyName() != null) {
            run.keyName(config.keyName());
        }
        if (config.subnetId() != null) {
            run.subnetId(config.subnetId());
        }
        if (!config.securityGroupIds().isEmpty()) {
            run.securityGroupIds(config.securityGroupIds());
        }
        RunInstancesResponse response = call(what, () -> ec2.runInstances(run.build()));
        List<ProviderNode> nodes = response.instances().stream().map(this::nodeOf).toList();
        int missing = request.count() - nodes.size();
        return missing > 0
                ? new Created(nodes, missing, "InsufficientInstanceCapacity: launched " + nodes.size() + " of "
                        + request.count() + " " + type)
                : Created.all(nodes);
    }

    @Override
    public Described describe(Collection<String> nodeIds) {
        List<ProviderNode> seen = new ArrayList<>();
        for (List<String> batch : Ec2Batches.of(nodeIds)) {
            seen.addAll(pages(Filter.builder().name("instance-id").values(batch).build(), 1000,
                    "DescribeInstances of " + batch.size() + " instances"));
        }
        Set<String> unknown = new HashSet<>(nodeIds);
        seen.forEach(n -> unknown.remove(n.id()));
        return new Described(seen, unknown);
    }

    @Override
    public List<ProviderNode> listPooled() {
        return pages(List.of(Filter.builder().name("tag-key").values(Ec2Tags.POOL).build(),
                        Filter.builder().name("instance-state-name").values(Ec2States.NOT_TERMINATED).build()),
                config.listPageSize(), "DescribeInstances of pooled instances");
    }

    @Override
    public void release(Collection<String> nodeIds) {
        Ec2Release.terminate(nodeIds, batch -> call("TerminateInstances of " + batch.size() + " instances",
                () -> ec2.terminateInstances(TerminateInstancesRequest.builder().instanceIds(batch).build())));
    }

    @Override
    public SshLogin login() {
        return SshLogin.key(config.sshUser(), config.sshPrivateKey());
    }

    @Override
    public void close() {
        ec2.close();
    }

    @Override
    public String toString() {
        return "AwsEc2Provider[" + config + "]";
    }

    private List<ProviderNode> pages(Filter filter, int pageSize, String what) {
        return pages(List.of(filter), pageSize, what);
    }

    private List<ProviderNode> pages(List<Filter> filters, int pageSize, String what) {
        List<ProviderNode> nodes = new ArrayList<>();
        String next = null;
        do {
            DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                    .filters(filters).maxResults(pageSize).nextToken(next).build();
            DescribeInstancesResponse page = call(what, () -> ec2.describeInstances(request));
            page.reservations().forEach(r -> r.instances().forEach(i -> nodes.add(nodeOf(i))));
            next = page.nextToken();
        } while (next != null && !next.isEmpty());
        return nodes;
    }

    private ProviderNode nodeOf(Instance i) {
        Map<String, String> tags = new LinkedHashMap<>();
        i.tags().forEach(t -> tags.put(t.key(), t.value()));
        return new ProviderNode(i.instanceId(), tags.get(Ec2Tags.POOL), tags.get(Ec2Tags.ROLE), tags.get(Ec2Tags.TOKEN),
                i.amiLaunchIndex() != null ? i.amiLaunchIndex() : 0, Ec2States.of(i.state().nameAsString()),
                i.privateIpAddress(), 22, i.launchTime(), i.stateReason() != null ? i.stateReason().code() : null);
    }

    /** Makes one API call and turns its failure into a {@link ProviderException} saying what to do about it. */
    private static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
            String message = e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : null;
            if (code == null && e.statusCode() == 401) {
                // HttpURLConnection drops the body of a 401 to a streamed POST, so EC2's AuthFailure arrives codeless
                code = "AuthFailure";
                message = "the credentials were not accepted (access key id or secret wrong, or the clock off)";
            }
            throw new ProviderException(Ec2Errors.kindOf(code, e.statusCode()), code != null ? code : "HTTP" + e.statusCode(),
                    what + ": " + (message != null ? message : "no error details") + " (HTTP " + e.statusCode()
                            + ", request " + e.requestId() + ")", e);
        } catch (ApiCallAttemptTimeoutException | ApiCallTimeoutException e) {
            throw new ProviderException(ProviderException.Kind.TRANSIENT, Ec2Errors.TIMEOUT,
                    what + ": no answer within the call timeout; it may have taken effect", e);
        } catch (SdkClientException e) {
            boolean timeout = causedBy(e, SocketTimeoutException.class);
            throw new ProviderException(ProviderException.Kind.TRANSIENT, timeout ? Ec2Errors.TIMEOUT : Ec2Errors.CONNECTION,
                    what + ": " + e.getMessage() + "; it may have taken effect", e);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
