package io.slipway.deploy.clusterfile;

/**
 * sealer's {@code ssh}: user, password, private key, its passphrase, port. A user's private key is the PEM itself; only
 * a pool handed over by infra-svc names a key file (its provider's, on the machine both services share).
 */
public record SshSpec(String user, String password, String pk, String pkPassword, Integer port) {

    public static final SshSpec EMPTY = new SshSpec(null, null, null, null, null);

    /** This spec with every field {@code override} sets replaced (a host group's ssh over the cluster's). */
    public SshSpec overriddenBy(SshSpec override) {
        if (override == null) {
            return this;
        }
        return new SshSpec(override.user != null ? override.user : user, override.password != null ? override.password : password,
                override.pk != null ? override.pk : pk, override.pkPassword != null ? override.pkPassword : pkPassword,
                override.port != null ? override.port : port);
    }

    public boolean hasCredentials() {
        return password != null && !password.isEmpty() || pk != null && !pk.isEmpty();
    }

    public SshSpec masked() {
        return new SshSpec(user, mask(password), mask(pk), mask(pkPassword), port);
    }

    private static String mask(String s) {
        return s == null ? null : "******";
    }

    @Override
    public String toString() {
        SshSpec m = masked();
        return "ssh(user=" + m.user + ", passwd=" + m.password + ", pk=" + m.pk + ", pkPasswd=" + m.pkPassword + ", port=" + m.port + ")";
    }
}
