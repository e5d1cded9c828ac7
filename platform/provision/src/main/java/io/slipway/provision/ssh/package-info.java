/**
 * SSH seen from a provider: whether a node answers and with which host key
 * ({@link io.slipway.provision.ssh.SshProbe}), and whether a machine can be handed out
 * ({@link io.slipway.provision.ssh.SshHealthCheck}). Plain MINA SSHD clients; installs go through slipway-ssh.
 */
package io.slipway.provision.ssh;
