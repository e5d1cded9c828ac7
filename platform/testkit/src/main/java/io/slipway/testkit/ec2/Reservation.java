package io.slipway.testkit.ec2;

import java.util.List;

/** What RunInstances answers: the reservation and its instances (as they are now, for an idempotent repeat). */
public record Reservation(String reservationId, List<Ec2Instance> instances) {
    public Reservation {
        instances = List.copyOf(instances);
    }
}
