package io.slipway.workload.operator;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** The time controllers read: the system's, unless a test provides a Clock bean of its own (CronHPA runs on one). */
@ApplicationScoped
public class Clocks {
    @Produces
    @DefaultBean
    @jakarta.inject.Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
