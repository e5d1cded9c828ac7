package io.slipway.provision.aws;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where and as whom the {@code aws} provider launches instances. The secret access key never appears in
 * {@link #toString()}.
 *
 * @param region               the AWS region, e.g. {@code eu-west-1}
 * @param accessKeyId          the access key id of the account's IAM user
 * @param secretAccessKey      its secret
 * @param endpoint             an endpoint instead of the region's (a simulated EC2 in tests); null for AWS's own
 * @param keyName              the EC2 key pair the instances get, or null
 * @param subnetId             the subnet to launch in, or null for the default VPC's
 * @param securityGroupIds     the security groups of the instances (empty: the VPC's default)
 * @param defaultInstanceType  the instance type of a request that names no size
 * @param defaultImageId       the AMI of a request that names no image, or null (then every request must name one)
 * @param sshUser              the user Slipway logs in as (the AMI's, e.g. {@code ec2-user}, {@code ubuntu})
 * @param sshPrivateKey        the private key of {@code keyName}'s key pair
 * @param callTimeout          how long one API call may take before it counts as a timeout
 * @param listPageSize         MaxResults of the pooled listing's pages (5-1000)
 */
public record AwsEc2Config(String region, String accessKeyId, String secretAccessKey, URI endpoint, String keyName,
                           String subnetId, List<String> securityGroupIds, String defaultInstanceType,
                           String defaultImageId, String sshUser, Path sshPrivateKey, Duration callTimeout,
                           int listPageSize) {

    public AwsEc2Config {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(sshUser, "sshUser");
        Objects.requireNonNull(sshPrivateKey, "sshPrivateKey");
        securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
        defaultInstanceType = defaultInstanceType == null ? "m5.large" : defaultInstanceType;
        callTimeout = callTimeout == null ? Duration.ofSeconds(20) : callTimeout;
        if (listPageSize < 5 || listPageSize > 1000) {
            throw new IllegalArgumentException("listPageSize must be 5-1000 (EC2's MaxResults), was " + listPageSize);
        }
    }

    /** A configuration with the usual defaults for what is optional. */
    public static AwsEc2Config of(String region, String accessKeyId, String secretAccessKey, String sshUser,
                                  Path sshPrivateKey) {
        return new AwsEc2Config(region, accessKeyId, secretAccessKey, null, null, null, List.of(), null, null, sshUser,
                sshPrivateKey, null, 1000);
    }

    public AwsEc2Config withEndpoint(URI newEndpoint) {
        return new AwsEc2Config(region, accessKeyId, secretAccessKey, newEndpoint, keyName, subnetId, securityGroupIds,
                defaultInstanceType, defaultImageId, sshUser, sshPrivateKey, callTimeout, listPageSize);
    }

    public AwsEc2Config withDefaultImage(String imageId) {
        return new AwsEc2Config(region, accessKeyId, secretAccessKey, endpoint, keyName, subnetId, securityGroupIds,
                defaultInstanceType, imageId, sshUser, sshPrivateKey, callTimeout, listPageSize);
    }

    public AwsEc2Config withListPageSize(int pageSize) {
        return new AwsEc2Config(region, accessKeyId, secretAccessKey, endpoint, keyName, subnetId, securityGroupIds,
                defaultInstanceType, defaultImageId, sshUser, sshPrivateKey, callTimeout, pageSize);
    }

    public AwsEc2Config withCallTimeout(Duration timeout) {
        return new AwsEc2Config(region, accessKeyId, secretAccessKey, endpoint, keyName, subnetId, securityGroupIds,
                defaultInstanceType, defaultImageId, sshUser, sshPrivateKey, timeout, listPageSize);
    }

    @Override
    public String toString() {
        return "AwsEc2Config[region=" + region + ", accessKeyId=" + accessKeyId + ", secretAccessKey=***"
                + (endpoint != null ? ", endpoint=" + endpoint : "") + ", keyName=" + keyName + ", subnetId=" + subnetId
                + ", securityGroupIds=" + securityGroupIds + ", defaultInstanceType=" + defaultInstanceType
                + ", defaultImageId=" + defaultImageId + ", sshUser=" + sshUser + ", sshPrivateKey=" + sshPrivateKey
                + ", callTimeout=" + callTimeout + ", listPageSize=" + listPageSize + "]";
    }
}
