package io.slipway.backbone;

import io.slipway.outbound.OutboundPolicy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The service's one outbound policy, read once from {@code slipway.outbound.allow} and injected wherever a user-named address is called. */
public class OutboundPolicies {
    @Produces
    @Singleton
    OutboundPolicy outboundPolicy(BackboneConfig backbone) {
        return OutboundPolicy.allowing(backbone.outbound().allow().orElse(""));
    }
}
