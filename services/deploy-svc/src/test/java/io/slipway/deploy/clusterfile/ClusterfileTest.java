package io.slipway.deploy.clusterfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sealer's Clusterfile: v2 read as sealer documents it, v1 imported, every mistake named by line and field. */
class ClusterfileTest {
    static final String V2 = """
            apiVersion: sealer.io/v2
            kind: Cluster
            metadata:
              name: my-cluster
            spec:
              image: kubernetes:v1.19.8
              env:
                - key1=value1
                - key2=value2;value3
              cmd_args: [--flag]
              ssh:
                passwd: Cluster-Secret-1
                user: root
                port: "2222"
              hosts:
                - ips: [ 192.168.0.2, 192.168.0.3 ]
                  roles: [ master ]
                  env:
                    - etcd-dir=/data/etcd
                  ssh:
                    user: ops
                    passwd: Group-Secret-2
                    port: "22"
                - ips: [ 192.168.0.5 ]
                  roles: [ node, db ]
                  labels: {disk: ssd}
                  taints: ["dedicated=db:NoSchedule"]
            ---
            apiVersion: sealer.io/v2
            kind: Config
            metadata:
              name: extra
            spec:
              path: etc/x.yaml
            """;

    static ClusterfileException error(String yaml) {
        try {
            Clusterfile.parse(yaml, "Clusterfile");
        } catch (ClusterfileException e) {
            return e;
        }
        throw new AssertionError("expected a ClusterfileException");
    }

    @Test
    void readsSealersV2WithHostGroupsOverridesAndOtherDocuments() {
        Clusterfile cf = Clusterfile.parse(V2, "Clusterfile");
        assertThat(cf.name()).isEqualTo("my-cluster");
        assertThat(cf.image()).isEqualTo("kubernetes:v1.19.8");
        assertThat(cf.env()).containsExactly(Map.entry("key1", "value1"), Map.entry("key2", "value2;value3"));
        assertThat(cf.cmdArgs()).containsExactly("--flag");
        assertThat(cf.hosts()).extracting(ClusterHost::ip).containsExactly("192.168.0.2", "192.168.0.3", "192.168.0.5");
        ClusterHost master = cf.hosts().get(0);
        assertThat(master.roles()).containsExactly("master");
        assertThat(master.ssh().user()).isEqualTo("ops");
        assertThat(master.ssh().port()).isEqualTo(22);
        assertThat(master.ssh().password()).isEqualTo("Group-Secret-2");
        assertThat(master.env()).containsEntry("etcd-dir", "/data/etcd").containsEntry("key1", "value1");
        ClusterHost node = cf.hosts().get(2);
        assertThat(node.ssh().port()).isEqualTo(2222);
        assertThat(node.ssh().password()).isEqualTo("Cluster-Secret-1");
        assertThat(node.roles()).containsExactly("node", "db");
        assertThat(node.labels()).containsEntry("disk", "ssd");
        assertThat(node.taints()).containsExactly("dedicated=db:NoSchedule");
        assertThat(cf.masters()).hasSize(2);
        assertThat(cf.nodes()).hasSize(1);
        assertThat(cf.dataRoot()).isEqualTo("/var/lib/slipway");
        assertThat(cf.otherDocuments()).hasSize(1);
        assertThat(cf.otherDocuments().get(0)).contains("kind: Config");
    }

    @Test
    void roundTripsThroughItsYaml() {
        Clusterfile cf = Clusterfile.parse(V2, "Clusterfile");
        Clusterfile again = Clusterfile.parse(cf.toYaml(), "Clusterfile");
        assertThat(again.hosts()).isEqualTo(cf.hosts());
        assertThat(again.env()).isEqualTo(cf.env());
        assertThat(again.otherDocuments()).hasSize(1);
        assertThat(again.toYaml()).isEqualTo(cf.toYaml());
    }

    @Test
    void secretsNeverShowInMaskedCopiesOrToString() {
        Clusterfile cf = Clusterfile.parse(V2, "Clusterfile");
        assertThat(cf.toString()).doesNotContain("Cluster-Secret-1", "Group-Secret-2");
        assertThat(cf.masked().toYaml()).doesNotContain("Cluster-Secret-1", "Group-Secret-2").contains("******");
        assertThat(cf.hosts().get(0).ssh().toString()).doesNotContain("Group-Secret-2");
        String inlineKey = V2.replace("passwd: Cluster-Secret-1", "pk: |\n      -----BEGIN OPENSSH PRIVATE KEY-----\n      c2VjcmV0\n      -----END OPENSSH PRIVATE KEY-----");
        assertThat(Clusterfile.parse(inlineKey, "Clusterfile").masked().toYaml()).doesNotContain("c2VjcmV0");
    }

    @Test
    void secretEnvValuesAreMaskedAndScrubbedWhereverTheFileRepeatsThem() {
        Clusterfile cf = Clusterfile.parse("""
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: c1
                spec:
                  image: app:v1
                  env: [DB_PASSWORD=Env-Secret-77, ZONE=b]
                  cmd: ["sh init.sh --db-password Env-Secret-77"]
                  ssh: {passwd: Ssh-Secret-42}
                  hosts:
                    - ips: [10.0.0.1]
                      roles: [master]
                      env: [API_TOKEN=Group-Token-55]
                ---
                apiVersion: sealer.io/v2
                kind: Config
                spec: {data: "login Ssh-Secret-42"}
                """, "Clusterfile");
        String masked = cf.masked().toYaml();
        assertThat(masked).doesNotContain("Env-Secret-77", "Ssh-Secret-42", "Group-Token-55")
                .contains("DB_PASSWORD=******", "ZONE=b", "--db-password ******", "login ******");
        ClusterSecrets secrets = ClusterSecrets.of(cf);
        assertThat(secrets.scrub("hook failed: cannot reach db with Env-Secret-77 as Group-Token-55")).isEqualTo(
                "hook failed: cannot reach db with ****** as ******");
        assertThat(cf.env()).containsEntry("DB_PASSWORD", "Env-Secret-77"); // the hosts still get the value
    }

    @Test
    void secretReferencesAreResolvedAndWhatTheyFillIsSecret() {
        String text = """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: c1
                spec:
                  image: app:v1
                  env: ["DSN=postgres://app:${secret:db-pw}@db/app", ZONE=b]
                  secretEnv: [ZONE_SEED]
                  ssh: {pk: "${secret:node-key}", pkPasswd: "${secret:node-key-pass}"}
                  hosts:
                    - ips: [10.0.0.1]
                      roles: [master]
                      env: [ZONE_SEED=Seed-Value-31]
                """;
        Clusterfile cf = Clusterfile.parse(text, "Clusterfile");
        assertThat(cf.secretReferences()).containsExactly("db-pw", "node-key", "node-key-pass");
        assertThat(cf.secretEnv()).containsExactlyInAnyOrder("ZONE_SEED", "DSN");
        Clusterfile resolved = cf.withSecrets(Map.of("db-pw", "Db-Secret-91", "node-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nk\n",
                "node-key-pass", "Pass-Secret-92"));
        assertThat(resolved.env()).containsEntry("DSN", "postgres://app:Db-Secret-91@db/app");
        assertThat(resolved.ssh().pk()).startsWith("-----BEGIN");
        assertThat(resolved.secretReferences()).isEmpty();
        String masked = resolved.masked().toYaml();
        assertThat(masked).doesNotContain("Db-Secret-91", "Pass-Secret-92", "Seed-Value-31").contains("ZONE=b");
        // stored and read back, the marks stay with the values they protect
        assertThat(Clusterfile.stored(resolved.toYaml()).secretEnv()).containsExactlyInAnyOrder("ZONE_SEED", "DSN");

        ClusterfileException bad = error(text.replace("${secret:db-pw}", "${secret:Db PW}"));
        assertThat(bad.field()).isEqualTo("spec.env.DSN");
        assertThat(bad.getMessage()).contains("does not name a secret");
    }

    @Test
    void importsV1MastersAndNodes() {
        Clusterfile cf = Clusterfile.parse("""
                apiVersion: sealer.aliyun.com/v1alpha1
                kind: Cluster
                metadata:
                  name: my-cluster
                spec:
                  image: registry.cn-qingdao.aliyuncs.com/sealer-io/kubernetes:v1.19.9
                  provider: BAREMETAL
                  ssh:
                    passwd: xxx
                    pk: |
                      -----BEGIN OPENSSH PRIVATE KEY-----
                      c2VjcmV0
                      -----END OPENSSH PRIVATE KEY-----
                    user: root
                  network:
                    podCIDR: 100.64.0.0/10
                  masters:
                    ipList: [192.168.0.2, 192.168.0.3]
                  nodes:
                    ipList: [192.168.0.4]
                """, "v1.yaml");
        assertThat(cf.masters()).extracting(ClusterHost::ip).containsExactly("192.168.0.2", "192.168.0.3");
        assertThat(cf.nodes()).extracting(ClusterHost::ip).containsExactly("192.168.0.4");
        assertThat(cf.hosts().get(0).ssh().pk()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0\n");
        assertThat(cf.toYaml()).startsWith("apiVersion: sealer.io/v2");
    }

    @Test
    void everyMistakeNamesLineAndField() {
        String base = """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: c1
                spec:
                  image: app:v1
                  ssh: {passwd: Secret-Pass-9}
                  hosts:
                    - ips: [10.0.0.1]
                      roles: [master]
                """;
        ClusterfileException badIp = error(base.replace("[10.0.0.1]", "[10.0.0]"));
        assertThat(badIp.line()).isEqualTo(9);
        assertThat(badIp.field()).isEqualTo("spec.hosts[0].ips[0]");
        assertThat(badIp.getMessage()).isEqualTo("Clusterfile:9: spec.hosts[0].ips[0]: \"10.0.0\" is not an IP address")
                .doesNotContain("Secret-Pass-9");

        ClusterfileException typo = error(base.replace("  image: app:v1", "  imgae: app:v1"));
        assertThat(typo.line()).isEqualTo(6);
        assertThat(typo.getMessage()).contains("spec.imgae", "unknown field", "did you mean image?");

        assertThat(error(base.replace("roles: [master]", "roles: [node]")).getMessage()).contains("no host has the role master");
        assertThat(error(base.replace("roles: [master]", "roles: []")).field()).isEqualTo("spec.hosts[0].roles");
        assertThat(error(base.replace("  ssh: {passwd: Secret-Pass-9}\n", "")).getMessage())
                .contains("no ssh password or private key for 10.0.0.1");
        assertThat(error(base.replace("name: c1", "name: Bad_Name")).field()).isEqualTo("metadata.name");
        assertThat(error(base.replace("sealer.io/v2", "sealer.io/v9")).getMessage()).contains("'sealer.io/v9' is not a Clusterfile version");
        assertThat(error(base.replace("[10.0.0.1]", "[10.0.0.1, 10.0.0.1]")).getMessage()).contains("listed twice");
        ClusterfileException env = error(base.replace("  ssh:", "  env: [NOEQUALS]\n  ssh:"));
        assertThat(env.field()).isEqualTo("spec.env[0]");
        assertThat(error(base.replace("{passwd: Secret-Pass-9}", "{passwd: Secret-Pass-9, port: \"99999\"}")).getMessage())
                .contains("is not a TCP port").doesNotContain("Secret-Pass-9");
        assertThat(error(base + "  dataRoot: relative/dir\n").field()).isEqualTo("spec.dataRoot");
        assertThat(error("spec: [unclosed").getMessage()).startsWith("Clusterfile:1: not valid YAML");
        assertThat(error("apiVersion: sealer.io/v2\nkind: Config\n").getMessage()).contains("no document of kind Cluster");
        ClusterfileException twice = error(base + "  image: other:v2\n");
        assertThat(twice.field()).isEqualTo("spec.image");
        assertThat(twice.getMessage()).contains("'image' appears twice (also at line");
    }

    @Test
    void otherDocumentsAreKeptAsWrittenEvenAfterCharactersOutsideTheBasicPlane() {
        String config = "apiVersion: sealer.io/v2\nkind: Config\nmetadata: {name: banner}\nspec:\n  data: \"\uD83D\uDE80 launch\"\n";
        Clusterfile c = Clusterfile.parse(config + "---\n" + V2, "Clusterfile");
        assertThat(c.otherDocuments()).contains(config);
    }

    @Test
    void aPrivateKeyIsKeyMaterialNeverAFileOfDeploySvcsMachine() {
        String withPath = V2.replace("passwd: Cluster-Secret-1", "pk: /etc/slipway/jwt/signing.pem");
        ClusterfileException e = error(withPath);
        assertThat(e.field()).isEqualTo("spec.ssh.pk");
        assertThat(e.line()).isGreaterThan(0);
        assertThat(e.getMessage()).contains("give the private key itself").doesNotContain("Cluster-Secret-1", "Group-Secret-2");
        // a pool's nodes are handed over with infra-svc's key file: a stored Clusterfile keeps it
        assertThat(Clusterfile.stored(withPath).ssh().pk()).isEqualTo("/etc/slipway/jwt/signing.pem");
        assertThat(Clusterfile.stored(withPath).masked().toYaml()).doesNotContain("signing.pem");
    }

    @Test
    void hostKeysArePinsForListedHostsAndTrustOnFirstUseIsAskedForInWords() throws Exception {
        java.security.KeyPair pair = org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        String entry = org.apache.sshd.common.config.keys.PublicKeyEntry.toString(pair.getPublic());
        String fingerprint = org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(pair.getPublic());
        String base = """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: c1
                spec:
                  image: app:v1
                  ssh: {passwd: Secret-Pass-9}
                  hosts:
                    - ips: [10.0.0.1, 10.0.0.2]
                      roles: [master]
                  hostKeys:
                    10.0.0.1: "10.0.0.1 %s"
                    10.0.0.2: %s
                """.formatted(entry, fingerprint);
        Clusterfile cf = Clusterfile.parse(base, "Clusterfile");
        assertThat(cf.hostKeys().pinned()).containsExactly(Map.entry("10.0.0.1", entry), Map.entry("10.0.0.2", fingerprint));
        assertThat(cf.hostKeys().firstUse()).isFalse();
        assertThat(Clusterfile.stored(cf.toYaml()).hostKeys()).isEqualTo(cf.hostKeys());
        assertThat(cf.withoutHosts(List.of("10.0.0.2")).hostKeys().pinned()).containsOnlyKeys("10.0.0.1");

        assertThat(Clusterfile.parse(base + "  trustOnFirstUse: true\n", "Clusterfile").hostKeys().firstUse()).isTrue();
        assertThat(error(base + "  trustOnFirstUse: sure\n").field()).isEqualTo("spec.trustOnFirstUse");
        ClusterfileException stranger = error(base.replace("10.0.0.2: " + fingerprint, "10.0.0.9: " + fingerprint));
        assertThat(stranger.field()).isEqualTo("spec.hostKeys.10.0.0.9");
        assertThat(stranger.getMessage()).contains("is not a host of this Clusterfile");
        ClusterfileException garbled = error(base.replace(fingerprint, "SHA256:abc"));
        assertThat(garbled.field()).isEqualTo("spec.hostKeys.10.0.0.2");
        assertThat(garbled.line()).isEqualTo(13);
        assertThat(garbled.getMessage()).contains("ssh-keyscan");
    }

    @Test
    void joinAndScaleDownEditTheHostGroups() {
        Clusterfile cf = Clusterfile.parse(V2, "Clusterfile");
        Clusterfile joined = cf.withHosts(List.of(), List.of("192.168.0.9"));
        assertThat(joined.nodes()).extracting(ClusterHost::ip).containsExactly("192.168.0.5", "192.168.0.9");
        assertThat(joined.hosts().get(3).ssh().password()).isEqualTo("Cluster-Secret-1");
        Clusterfile smaller = joined.withoutHosts(List.of("192.168.0.5", "192.168.0.9"));
        assertThat(smaller.nodes()).isEmpty();
        assertThat(smaller.hostGroups()).hasSize(1);
        assertThat(Clusterfile.parse(smaller.toYaml(), "Clusterfile").masters()).hasSize(2);
    }

    @Test
    void plansTellWhatAnApplyChangesAndRefuseARoleChange() {
        Clusterfile cf = Clusterfile.parse(V2, "Clusterfile");
        assertThat(ClusterPlan.between(cf, cf).isEmpty()).isTrue();
        ClusterPlan fresh = ClusterPlan.between(null, cf);
        assertThat(fresh.hostsToAdd()).hasSize(3);
        ClusterPlan scale = ClusterPlan.between(cf, cf.withHosts(List.of(), List.of("192.168.0.9")).withoutHosts(List.of("192.168.0.5")));
        assertThat(scale.hostsToAdd()).extracting(ClusterPlan.PlannedHost::ip).containsExactly("192.168.0.9");
        assertThat(scale.hostsToRemove()).containsExactly("192.168.0.5");
        assertThat(scale.imageChanged()).isFalse();
        Clusterfile upgraded = Clusterfile.parse(V2.replace("kubernetes:v1.19.8", "kubernetes:v1.20.0"), "Clusterfile");
        assertThat(ClusterPlan.between(cf, upgraded).imageChanged()).isTrue();
        Clusterfile roleChange = Clusterfile.parse(V2.replace("roles: [ node, db ]", "roles: [ master ]"), "Clusterfile");
        assertThatThrownBy(() -> ClusterPlan.between(cf, roleChange)).isInstanceOf(ClusterfileException.class)
                .hasMessageContaining("192.168.0.5 cannot change roles in place");
    }

    static final String INFRA = """
            apiVersion: sealer.io/v2
            kind: Cluster
            metadata:
              name: etcd
            spec:
              image: etcd:v1
              infra:
                provider: local
                masters:
                  count: 3
                nodes: {count: 1, size: t3.small, image: ami-0123456789abcdef0}
            """;

    @Test
    void anInfraSectionAsksForAPoolInsteadOfListingHosts() {
        Clusterfile cf = Clusterfile.parse(INFRA, "Clusterfile");
        assertThat(cf.infra()).isEqualTo(new InfraSpec("local", List.of(new InfraSpec.Role("master", 3, null, null),
                new InfraSpec.Role("node", 1, "t3.small", "ami-0123456789abcdef0"))));
        assertThat(cf.hosts()).isEmpty();
        assertThat(cf.awaitsPool()).isTrue();
        // stored and read back, before and after the pool's nodes are handed over
        assertThat(Clusterfile.stored(cf.toYaml())).isEqualTo(cf);
        Clusterfile onPool = cf.withHostGroups(List.of(
                new HostGroup(List.of("10.7.0.2"), List.of("master"), new SshSpec("root", null, "/var/tmp/k", null, 22), Map.of(), Map.of(), List.of())));
        Clusterfile stored = Clusterfile.stored(onPool.toYaml());
        assertThat(stored.infra()).isEqualTo(cf.infra());
        assertThat(stored.awaitsPool()).isFalse();
        assertThat(stored.masters()).extracting(ClusterHost::ip).containsExactly("10.7.0.2");
        // a user's file gives hosts or an infra section, not both
        String both = INFRA + "  hosts:\n    - ips: [10.0.0.1]\n      roles: [master]\n";
        assertThat(error(both).field()).isEqualTo("spec.hosts");
        assertThat(error(both).getMessage()).contains("give hosts or an infra section, not both");
        // nodes are optional, masters are not
        assertThat(Clusterfile.parse(INFRA.replace("    nodes: {count: 1, size: t3.small, image: ami-0123456789abcdef0}\n", ""),
                "Clusterfile").infra().roles()).extracting(InfraSpec.Role::role).containsExactly("master");
        assertThat(Clusterfile.parse(INFRA.replace("count: 1,", "count: 0,"), "Clusterfile").infra().roles()).hasSize(1);
    }

    @Test
    void infraMistakesNameLineAndField() {
        ClusterfileException noMasters = error(INFRA.replace("    masters:\n      count: 3\n", ""));
        assertThat(noMasters.field()).isEqualTo("spec.infra.masters");
        ClusterfileException zero = error(INFRA.replace("count: 3", "count: 0"));
        assertThat(zero.line()).isEqualTo(10);
        assertThat(zero.getMessage()).isEqualTo("Clusterfile:10: spec.infra.masters.count: must be between 1 and 1000, was 0");
        assertThat(error(INFRA.replace("count: 3", "count: three")).getMessage()).contains("'three' is not a whole number");
        ClusterfileException typo = error(INFRA.replace("provider: local", "provder: local"));
        assertThat(typo.field()).isEqualTo("spec.infra.provder");
        assertThat(typo.getMessage()).contains("did you mean provider?");
        assertThat(error(INFRA.replace("provider: local", "provider: Local Hosts")).field()).isEqualTo("spec.infra.provider");
        assertThat(error(INFRA.replace("size: t3.small", "size: t3 small")).field()).isEqualTo("spec.infra.nodes.size");
        assertThat(error(INFRA.replace("{count: 1,", "{cnt: 1,")).getMessage()).contains("did you mean count?");
        ClusterfileException longName = error(INFRA.replace("name: etcd", "name: " + "e".repeat(41)));
        assertThat(longName.field()).isEqualTo("metadata.name");
        assertThat(longName.getMessage()).contains("at most 40 characters");
    }
}
