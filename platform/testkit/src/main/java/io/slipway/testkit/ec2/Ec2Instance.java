package io.slipway.testkit.ec2;

import java.time.Instant;
import java.util.Map;

/**
 * One instance as the API shows it at the moment of a call.
 *
 * @param stateReasonCode    why it left the running states ({@code Server.InternalError},
 *                           {@code Client.UserInitiatedShutdown}), else null
 */
public record Ec2Instance(String instanceId, String reservationId, String imageId, String instanceType,
                          InstanceState state, String privateIpAddress, int amiLaunchIndex, Instant launchTime,
                          Map<String, String> tags, String clientToken, String stateReasonCode,
                          String stateReasonMessage) {
    public Ec2Instance {
        tags = Map.copyOf(tags);
    }
}
