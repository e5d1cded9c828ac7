/**
 * Nodes from providers: the SPI every provider implements ({@link io.slipway.provision.NodeProvider}), the requests
 * and answers it trades in, and the clock ({@link io.slipway.provision.Ticker}) that pacing, backoff and boot waits
 * run on, so a simulation can run them on virtual time. Plain Java: infra-svc drives it, benchmarks and tests run it
 * without Quarkus.
 */
package io.slipway.provision;
