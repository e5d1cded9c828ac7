/**
 * Provisioning runs: the {@link io.slipway.provision.run.Provisioner} turns a pool's plan into ready nodes and
 * releases pools.
 *
 * <p>Why it is shaped as it is:
 * <ul>
 *   <li>One thread's loop per run, sleeping on the ticker until the next thing is due (a create, a describe, an SSH
 *       probe): no thread per node, reproducible from the seed, and it runs on virtual time in bench/provision.</li>
 *   <li>One create per role for all it misses; the listener journals every create (its token) before it goes out.
 *       A restarted run gets those journaled creates and repeats them, newest first per role, until the role holds
 *       its nodes: a later create was only made after the earlier ones answered, so an older one then either made
 *       nothing (repeating it would make nodes nobody wants) or made nodes that are swept up and released.</li>
 *   <li>One describe covers every booting node, on the boot-wait schedule; an id the provider does not know yet is
 *       not gone (eventual consistency) until a window has passed, and then it is released before it is replaced.</li>
 *   <li>Running nodes are probed over SSH, which costs no provider call; a node is ready when its SSH server answers,
 *       and the host key it presented is what deploy-svc pins.</li>
 *   <li>Throttling and transient faults repeat the same request (same token) after a backoff; missing capacity makes
 *       a new request for what is missing after a longer one; a request the provider rejects fails the run at once.</li>
 * </ul>
 */
package io.slipway.provision.run;
