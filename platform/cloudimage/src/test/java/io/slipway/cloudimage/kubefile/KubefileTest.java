package io.slipway.cloudimage.kubefile;

import io.slipway.oci.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubefileTest {

    private static Kubefile parse(String text) {
        return Kubefile.parse("Kubefile", text);
    }

    private static List<String> expanded(Instruction ins, Map<String, String> vars) {
        return ins.expandArgs(vars::get);
    }

    @Test
    void parsesEveryInstructionWithItsLineAndArguments() {
        Kubefile k = parse("""
                # a comment
                ARG VERSION=v1.22.15
                FROM --platform=linux/arm64 kubernetes:${VERSION}
                ENV A=1 B="two words"
                ENV LEGACY value with spaces
                LABEL team=infra "quoted key"=yes
                MAINTAINER Jane Doe <jane@example.com>
                COPY manifests/ imageList /manifests/
                ADD https://example.com/helm.tgz /bin/
                RUN mkdir -p etc && \\
                    echo hi > etc/hi
                RUN ["sh", "-c", "true"]
                APP nginx local://nginx-chart
                APP tools local://install.sh https://example.com/more.sh
                APPCMDS tools ["bash install.sh", "echo done"]
                APPENV nginx REPLICAS=2 MODE=ha
                CNI calico local://calico.yaml
                CSI openebs local://openebs
                KUBEVERSION v1.22.15
                LAUNCH nginx calico
                """);
        List<Instruction> ins = k.instructions();
        assertThat(ins).extracting(Instruction::keyword).containsExactly(Keyword.ARG, Keyword.FROM, Keyword.ENV,
                Keyword.ENV, Keyword.LABEL, Keyword.MAINTAINER, Keyword.COPY, Keyword.ADD, Keyword.RUN, Keyword.RUN,
                Keyword.APP, Keyword.APP, Keyword.APPCMDS, Keyword.APPENV, Keyword.CNI, Keyword.CSI,
                Keyword.KUBEVERSION, Keyword.LAUNCH);
        assertThat(ins).extracting(Instruction::line).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16,
                17, 18, 19, 20);
        Map<String, String> vars = Map.of("VERSION", "v1.22.15");
        Instruction from = ins.get(1);
        assertThat(expanded(from, vars)).containsExactly("kubernetes:v1.22.15");
        assertThat(from.expandFlag("platform", vars::get)).contains("linux/arm64");
        assertThat(ins.get(2).expandAssignments(vars::get)).containsExactly(Map.entry("A", "1"), Map.entry("B", "two words"));
        assertThat(ins.get(3).expandAssignments(vars::get)).containsExactly(Map.entry("LEGACY", "value with spaces"));
        assertThat(ins.get(4).expandAssignments(vars::get)).containsEntry("quoted key", "yes");
        assertThat(expanded(ins.get(5), vars)).containsExactly("Jane Doe <jane@example.com>");
        assertThat(expanded(ins.get(6), vars)).containsExactly("manifests/", "imageList", "/manifests/");
        assertThat(expanded(ins.get(8), vars)).containsExactly("mkdir -p etc &&     echo hi > etc/hi");
        assertThat(ins.get(8).raw()).contains("\n");
        assertThat(ins.get(9).jsonForm()).isTrue();
        assertThat(expanded(ins.get(9), vars)).containsExactly("sh", "-c", "true");
        assertThat(expanded(ins.get(11), vars)).containsExactly("tools", "local://install.sh", "https://example.com/more.sh");
        assertThat(expanded(ins.get(12), vars)).containsExactly("tools", "bash install.sh", "echo done");
        assertThat(ins.get(13).expandAssignments(vars::get)).containsExactly(Map.entry("REPLICAS", "2"), Map.entry("MODE", "ha"));
        assertThat(expanded(ins.get(17), vars)).containsExactly("nginx", "calico");
        assertThat(k.fromScratch()).isFalse();
        assertThat(k.declaredArgs()).containsExactly("VERSION");
        assertThat(k.warnings()).isEmpty();
    }

    @Test
    void cmdsAndTheDeprecatedCmd() {
        Kubefile cmds = parse("FROM scratch\nCOPY a.yaml manifests/\nCMDS [\"kubectl apply -f manifests/a.yaml\", \"kubectl get pods\"]\n");
        assertThat(cmds.instructions().get(2).expandArgs(n -> null))
                .containsExactly("kubectl apply -f manifests/a.yaml", "kubectl get pods");

        Kubefile cmd = parse("FROM scratch\nCMD kubectl apply -f $HOME/a.yaml\ncmd helm list\n");
        assertThat(cmd.instructions()).extracting(Instruction::keyword).containsExactly(Keyword.FROM, Keyword.CMD, Keyword.CMD);
        assertThat(cmd.instructions().get(1).expandArgs(n -> "SUBSTITUTED")).containsExactly("kubectl apply -f $HOME/a.yaml");
        assertThat(cmd.warnings()).containsExactly(
                "Kubefile:2: CMD is deprecated; use CMDS [\"command\", ...] or LAUNCH",
                "Kubefile:3: CMD is deprecated; use CMDS [\"command\", ...] or LAUNCH");
    }

    @Test
    void launchAcceptsTheJsonForm() {
        Kubefile k = parse("FROM scratch\nAPP a local://a.yaml\nAPP b local://b\nLAUNCH [\"a\", \"b\"]");
        Instruction launch = k.instructions().get(3);
        assertThat(launch.jsonForm()).isTrue();
        assertThat(launch.expandArgs(n -> null)).containsExactly("a", "b");
    }

    @Test
    void substitutesArgsEnvAndDefaultsButNotCommands() {
        Kubefile k = parse("""
                FROM scratch
                COPY ${ARCH}/bin "$DIR/with space" ${MISSING:-fallback} '$LITERAL' \\$ESCAPED ${SET:+alt} dest/
                RUN echo $HOME
                APPCMDS x ["echo $X"]
                """.replace("APPCMDS x", "APP x local://x.sh\nAPPCMDS x"));
        Function<String, String> vars = Map.of("ARCH", "arm64", "DIR", "d", "SET", "1")::get;
        assertThat(k.instructions().get(1).expandArgs(vars))
                .containsExactly("arm64/bin", "d/with space", "fallback", "$LITERAL", "$ESCAPED", "alt", "dest/");
        assertThat(k.instructions().get(2).expandArgs(vars)).containsExactly("echo $HOME");
        assertThat(k.instructions().get(4).expandArgs(vars)).containsExactly("x", "echo $X");
    }

    @Test
    void substitutedValuesAreNeverSplit() {
        Instruction copy = parse("FROM scratch\nCOPY $SRC dest/").instructions().get(1);
        assertThat(copy.expandArgs(Map.of("SRC", "a b")::get)).containsExactly("a b", "dest/");
    }

    @Test
    void requiredVariableFailsWithItsLine() {
        Instruction copy = parse("FROM scratch\n\nCOPY ${SRC:?give --build-arg SRC} dest/").instructions().get(1);
        assertThatThrownBy(() -> copy.expandArgs(n -> null))
                .isInstanceOf(KubefileException.class)
                .hasMessage("Kubefile:3: SRC: give --build-arg SRC");
    }

    @Test
    void variablesScopeArgsBuildArgsEnvAndPlatform() {
        Kubefile k = parse("ARG A=default\nARG B\nARG C=${A}-c\nFROM scratch\nENV A=from-env");
        Variables v = new Variables(Map.of("B", "given", "UNUSED", "x"), Platform.parse("linux/arm64/v8"),
                Platform.parse("linux/amd64"));
        for (Instruction ins : k.instructions()) {
            if (ins.keyword() == Keyword.ARG) {
                v.declare(ins);
            }
        }
        assertThat(v.lookup("A")).isEqualTo("default");
        assertThat(v.lookup("B")).isEqualTo("given");
        assertThat(v.lookup("C")).isEqualTo("default-c");
        assertThat(v.lookup("ARCH")).isEqualTo("arm64");
        assertThat(v.lookup("TARGETVARIANT")).isEqualTo("v8");
        assertThat(v.lookup("BUILDARCH")).isEqualTo("amd64");
        v.setEnv("A", "from-env");
        assertThat(v.lookup("A")).isEqualTo("from-env");
        assertThat(v.environment()).containsEntry("A", "from-env").containsEntry("B", "given").containsEntry("ARCH", "arm64");
        assertThat(v.unusedBuildArgs()).containsExactly("UNUSED");
    }

    @Test
    void continuationsSkipCommentsAndKeepTheFirstLine() {
        Kubefile k = parse("FROM scratch\n\nRUN a \\\n# inside\n  b \\\n\n  c\nLABEL x=1");
        Instruction run = k.instructions().get(1);
        assertThat(run.line()).isEqualTo(3);
        assertThat(run.expandArgs(n -> null)).containsExactly("a   b   c");
        assertThat(k.instructions().get(2).line()).isEqualTo(8);
    }

    @Test
    void applicationReferencesAreCheckedAgainstTheBaseImageToo() {
        Kubefile k = parse("FROM kubernetes:v1.22\nAPPENV nginx A=1\nLAUNCH nginx");
        k.checkApplications(Set.of("nginx"));
        assertThatThrownBy(() -> k.checkApplications(Set.of("other")))
                .hasMessage("Kubefile:2: APPENV names application 'nginx', which no APP, CNI or CSI before it declares (known: other)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty                          | '# only a comment'                                                    | 'Kubefile:1: the Kubefile has no instructions; it must start with FROM'
            unknown instruction            | 'FROM scratch\\nFOO bar'                                              | 'Kubefile:2: unknown instruction ''FOO'' (known: FROM, ARG, ENV, LABEL, MAINTAINER, COPY, ADD, RUN, APP, APPCMDS, APPENV, CNI, CSI, KUBEVERSION, LAUNCH, CMDS)'
            dockerfile-only instruction    | 'FROM scratch\\nWORKDIR /x'                                           | 'Kubefile:2: WORKDIR is a Dockerfile instruction that a Kubefile does not have (known: FROM, ARG, ENV, LABEL, MAINTAINER, COPY, ADD, RUN, APP, APPCMDS, APPENV, CNI, CSI, KUBEVERSION, LAUNCH, CMDS)'
            instruction before FROM        | '\\nCOPY a b\\nFROM scratch'                                          | 'Kubefile:2: COPY before FROM: a Kubefile starts with FROM (only ARG may precede it)'
            no FROM                        | 'ARG A\\nARG B'                                                       | 'Kubefile:2: the Kubefile has no FROM instruction (FROM scratch or FROM a CloudImage)'
            FROM twice                     | 'FROM scratch\\nFROM scratch'                                         | 'Kubefile:2: FROM may appear only once (first at line 1); multi-stage builds are not supported'
            FROM two words                 | 'FROM a b'                                                            | 'Kubefile:1: FROM takes one image (scratch or a CloudImage name), found 2 words: FROM [--platform=os/arch] scratch|IMAGE'
            FROM bad reference             | 'FROM Bad:Name'                                                       | 'Kubefile:1: FROM invalid image reference ''Bad:Name'': bad repository component ''Bad'' (lowercase letters, digits and separators . _ - only)'
            FROM bad platform              | 'FROM --platform=linux scratch'                                       | 'Kubefile:1: FROM --platform: malformed platform ''linux'': expected os/arch[/variant], e.g. linux/amd64'
            FROM unknown flag              | 'FROM --pull=always scratch'                                          | 'Kubefile:1: FROM does not support --pull (supported: --platform)'
            no arguments                   | 'FROM scratch\\nRUN'                                                  | 'Kubefile:2: RUN needs arguments'
            COPY one word                  | 'FROM scratch\\nCOPY a'                                               | 'Kubefile:2: COPY needs at least one source and a destination: COPY SRC... DEST'
            COPY from URL                  | 'FROM scratch\\nCOPY https://x.io/a b'                                | 'Kubefile:2: COPY cannot fetch https://x.io/a; use ADD for http(s) sources'
            COPY --from                    | 'FROM scratch\\nCOPY --from=build a b'                                | 'Kubefile:2: COPY does not support --from; multi-stage builds are not supported'
            ADD other scheme               | 'FROM scratch\\nADD ftp://x.io/a b'                                   | 'Kubefile:2: ADD source ftp://x.io/a has an unsupported scheme; sources are paths in the build context or http(s) URLs'
            ARG two words                  | 'ARG A B\\nFROM scratch'                                              | 'Kubefile:1: ARG declares one variable: ARG NAME or ARG NAME=default'
            ARG bad name                   | 'ARG 1A=x\\nFROM scratch'                                             | 'Kubefile:1: ARG name ''1A'' is not a valid variable name (letters, digits, _; not starting with a digit)'
            ENV without value              | 'FROM scratch\\nENV A'                                                | 'Kubefile:2: ENV A has no value: write ENV KEY=value'
            LABEL without =                | 'FROM scratch\\nLABEL a=1 b'                                          | 'Kubefile:2: LABEL expects KEY=value pairs, found ''b'''
            unterminated quote             | 'FROM scratch\\nLABEL a="x'                                           | 'Kubefile:2: LABEL: unterminated double quote in a="x'
            bad substitution               | 'FROM scratch\\nCOPY ${A%b} c'                                        | 'Kubefile:2: COPY: unsupported substitution ${A%b}: only ${VAR}, ${VAR:-default}, ${VAR:+alternative} and ${VAR:?message} are known'
            unterminated substitution      | 'FROM scratch\\nCOPY ${A c'                                           | 'Kubefile:2: COPY: unterminated ${A c: missing }'
            APP without source             | 'FROM scratch\\nAPP nginx'                                            | 'Kubefile:2: APP needs a name and at least one source: APP NAME local://PATH|https://URL...'
            APP bad scheme                 | 'FROM scratch\\nAPP nginx ./chart'                                    | 'Kubefile:2: APP source ./chart must start with local://, http:// or https://'
            APP bad name                   | 'FROM scratch\\nAPP ../x local://a'                                   | 'Kubefile:2: ''../x'' is not a valid application name (letters, digits, ''.'', ''_'', ''-''; starting with a letter or digit)'
            APP twice                      | 'FROM scratch\\nAPP a local://a\\nCNI a local://b'                    | 'Kubefile:3: application ''a'' is already declared at line 2'
            APPCMDS not JSON               | 'FROM scratch\\nAPP a local://a\\nAPPCMDS a kubectl apply'            | 'Kubefile:3: APPCMDS a needs a JSON array of commands, e.g. APPCMDS a ["kubectl apply -f app.yaml"]'
            APPCMDS undeclared app         | 'FROM scratch\\nAPPCMDS a ["x"]\\nAPP a local://a'                    | 'Kubefile:2: APPCMDS names application ''a'', which no APP, CNI or CSI before it declares'
            APPENV without pairs           | 'FROM scratch\\nAPP a local://a\\nAPPENV a'                           | 'Kubefile:3: APPENV needs an application name and KEY=value pairs: APPENV NAME KEY=value...'
            KUBEVERSION twice              | 'FROM scratch\\nKUBEVERSION v1\\nKUBEVERSION v2'                      | 'Kubefile:3: KUBEVERSION may appear only once (first at line 2)'
            KUBEVERSION two words          | 'FROM scratch\\nKUBEVERSION >=1.20 <1.25'                             | 'Kubefile:2: KUBEVERSION takes one version, e.g. KUBEVERSION v1.22.15 (quote a constraint with spaces)'
            LAUNCH not last                | 'FROM scratch\\nAPP a local://a\\nLAUNCH a\\nLABEL x=1'               | 'Kubefile:3: LAUNCH must be the last instruction'
            LAUNCH twice                   | 'FROM scratch\\nAPP a local://a\\nLAUNCH a\\nLAUNCH a'                | 'Kubefile:4: LAUNCH may appear only once (first at line 3)'
            LAUNCH undeclared              | 'FROM scratch\\nAPP a local://a\\n\\nLAUNCH a b'                      | 'Kubefile:4: LAUNCH names application ''b'', which no APP, CNI or CSI before it declares (known: a)'
            LAUNCH bad JSON                | 'FROM scratch\\nLAUNCH [a, b]'                                        | 'Kubefile:2: LAUNCH [...] is not a JSON array of strings: write LAUNCH ["app1", "app2"] or LAUNCH app1 app2'
            CMDS not JSON                  | 'FROM scratch\\nCMDS kubectl apply -f x'                              | 'Kubefile:2: CMDS needs a JSON array of commands, e.g. CMDS ["kubectl apply -f manifests/app.yaml"]'
            CMDS empty                     | 'FROM scratch\\nCMDS []'                                              | 'Kubefile:2: CMDS has an empty command list'
            CMDS not last                  | 'FROM scratch\\nCMDS ["a"]\\nLABEL x=1'                               | 'Kubefile:2: CMDS must be the last instruction'
            LAUNCH and CMDS                | 'FROM scratch\\nAPP a local://a\\nLAUNCH a\\nCMDS ["x"]'              | 'Kubefile:4: LAUNCH and CMDS cannot both be used (LAUNCH at line 3)'
            CMD with LAUNCH                | 'FROM scratch\\nAPP a local://a\\nCMD helm list\\nLAUNCH a'           | 'Kubefile:4: LAUNCH and CMD cannot both be used (CMD at line 3)'
            RUN empty JSON                 | 'FROM scratch\\nRUN []'                                               | 'Kubefile:2: RUN [] has no command'
            """)
    void rejectsWithFileAndLine(String rule, String text, String message) {
        assertThatThrownBy(() -> parse(text.replace("\\n", "\n")))
                .as(rule)
                .isInstanceOf(KubefileException.class)
                .hasMessage(message);
    }

    @Test
    void exceptionCarriesItsParts() {
        KubefileException e = org.junit.jupiter.api.Assertions.assertThrows(KubefileException.class,
                () -> parse("FROM scratch\nAPP a local://a\nLAUNCH a\nLABEL x=1"));
        assertThat(e.fileName()).isEqualTo("Kubefile");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.detail()).isEqualTo("LAUNCH must be the last instruction");
    }
}
