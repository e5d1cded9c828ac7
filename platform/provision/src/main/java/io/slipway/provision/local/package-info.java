/**
 * Hosts on this machine: the {@code local} provider ({@link io.slipway.provision.local.LocalProvider}) and the
 * machinery that makes a host (network namespaces with OpenSSH, or embedded MINA servers in user namespaces), which
 * the test kit's test hosts are a layer over. See {@code DESIGN.md} beside this file.
 */
package io.slipway.provision.local;
