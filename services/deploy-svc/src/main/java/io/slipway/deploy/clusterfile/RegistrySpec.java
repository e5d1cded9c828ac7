package io.slipway.deploy.clusterfile;

/** sealer's {@code registry}: the cluster-local registry (domain, port) and an external one (with a login). */
public record RegistrySpec(String localDomain, Integer localPort, String externalDomain, String externalUsername,
                           String externalPassword) {

    public static final RegistrySpec NONE = new RegistrySpec(null, null, null, null, null);

    public RegistrySpec masked() {
        return new RegistrySpec(localDomain, localPort, externalDomain, externalUsername, externalPassword == null ? null : "******");
    }

    @Override
    public String toString() {
        return "registry(local=" + localDomain + ":" + localPort + ", external=" + externalDomain + ")";
    }
}
