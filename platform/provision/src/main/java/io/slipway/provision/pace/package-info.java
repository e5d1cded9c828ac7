/**
 * How fast to call a provider and how long to wait: the client-side {@link io.slipway.provision.pace.TokenBucket} per
 * account and region that keeps all of infra-svc under the provider's quota, {@link io.slipway.provision.pace.Backoff}
 * (decorrelated jitter) for retries, and the {@link io.slipway.provision.pace.BootWaitSchedule} that spaces the batched
 * describes of booting machines by what {@link io.slipway.provision.pace.BootEstimate} has learnt of boot times. All
 * of it reads time from a {@link io.slipway.provision.Ticker}, so it runs on virtual time in benchmarks.
 */
package io.slipway.provision.pace;
