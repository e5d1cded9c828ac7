/**
 * The {@code static} provider ({@link io.slipway.provision.staticpool.StaticProvider}): existing machines claimed per
 * create token after an SSH health check, and given back on release.
 */
package io.slipway.provision.staticpool;
