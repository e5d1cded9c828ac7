package io.slipway.testkit.ec2;

import java.util.List;
import java.util.Map;

/**
 * A RunInstances call: everything but the client token is what an idempotent repeat must match, else
 * {@code IdempotentParameterMismatch}.
 *
 * @param tags         the instance tags of its TagSpecifications
 * @param clientToken  the idempotency token, or null for none
 */
public record RunInstances(String imageId, String instanceType, int minCount, int maxCount, Map<String, String> tags,
                           String keyName, String subnetId, List<String> securityGroupIds, String clientToken) {
    public RunInstances {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
    }

    /** The parameters an idempotent repeat is compared on. */
    RunInstances withoutToken() {
        return new RunInstances(imageId, instanceType, minCount, maxCount, tags, keyName, subnetId, securityGroupIds, null);
    }
}
