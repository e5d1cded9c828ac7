package io.slipway.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class YamlNodeTest {

    @Test
    void pathsLinesAndColumnsFollowTheDocument() {
        YamlNode root = YamlReader.strict().read("spec:\n  hosts:\n    - ips: [10.0.0.1, 10.0.0.2]\n      roles: master\n");
        YamlNode ips = root.entries().get("spec").entries().get("hosts").items().get(0).entries().get("ips");
        assertThat(ips.path()).isEqualTo("spec.hosts[0].ips");
        assertThat(ips.line()).isEqualTo(3);
        assertThat(ips.column()).isEqualTo(12);
        assertThat(ips.scalars()).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(ips.items().get(1).path()).isEqualTo("spec.hosts[0].ips[1]");
        assertThat(root.at("spec.hosts").items().get(0).get("roles").scalars()).containsExactly("master");
    }

    @Test
    void aValueUnderItsKeyKeepsTheKeysLine() {
        YamlNode images = YamlReader.strict().read("a: 1\nimages:\n  - x\n").entries().get("images");
        assertThat(images.line()).isEqualTo(3);
        assertThat(images.keyLine()).isEqualTo(2);
        assertThat(images.items().get(0).keyLine()).isEqualTo(3);
    }

    @Test
    void startAndEndAreCharIndexesEvenAfterCharactersOutsideTheBasicPlane() {
        String text = "a: \"\uD83D\uDE00\"\nb: secret\n";
        YamlNode b = YamlReader.strict().read(text).entries().get("b");
        assertThat(text.substring(b.start(), b.end())).isEqualTo("secret");
    }

    @Test
    void strictEntriesRefuseUnknownRepeatedAndComplexKeys() {
        YamlNode root = YamlReader.strict().read("name: x\nnmae: y\n");
        assertThatThrownBy(() -> root.entries(Set.of("name", "labels")))
                .isInstanceOf(YamlError.class)
                .hasMessage("line 2, column 1 (nmae): unknown field 'nmae'; expected one of labels, name");
        assertThatThrownBy(() -> YamlReader.strict().read("spec:\n  a: 1\n  a: 2\n").entries().get("spec").entries())
                .isInstanceOfSatisfying(YamlError.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.path()).isEqualTo("spec.a");
                    assertThat(e.problem()).isEqualTo("'a' appears twice (also at line 2)");
                });
        assertThatThrownBy(() -> YamlReader.strict().read("? [a]\n: 1\n").entries()).hasMessageContaining("a key must be a plain string");
    }

    @Test
    void lenientEntriesKeepTheLastValueAndSkipComplexKeys() {
        YamlNode root = YamlReader.lenient().read("a: 1\n? [x]\n: 2\na: 3\n");
        assertThat(root.entries()).containsOnlyKeys("a");
        assertThat(root.entries().get("a").scalar()).isEqualTo("3");
    }

    @Test
    void shapeErrorsNameWhatWasFoundButNeverTheValue() {
        YamlNode root = YamlReader.strict().read("token: s3cret\nlist: [1]\n");
        assertThatThrownBy(() -> root.entries().get("token").items())
                .hasMessage("line 1, column 8 (token): expected a list, found a single value")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> root.entries().get("list").entries()).hasMessageEndingWith("expected a map of fields, found a list");
        assertThatThrownBy(() -> root.entries().get("list").scalar()).hasMessageEndingWith("expected a value, found a list");
    }

    @Test
    void lookupsFollowMergeKeysAndAnswerNullForWhatIsNotThere() {
        YamlNode root = YamlReader.lenient().read("base: &b {image: busybox, tag: '1'}\nc:\n  <<: [*b]\n  tag: '2'\n");
        YamlNode c = root.get("c");
        assertThat(c.get("image").text()).isEqualTo("busybox");
        assertThat(c.get("tag").text()).isEqualTo("2");
        assertThat(c.get("image").path()).isEqualTo("c.image");
        assertThat(c.get("missing")).isNull();
        assertThat(root.at("c.image.deeper")).isNull();
        assertThat(root.get("base").text()).isNull();
    }

    @Test
    void aMapMergedIntoItselfEndsTheLookup() { // a manifest's `&x {<<: *x}` overflowed the stack of imagescan's reader
        YamlNode root = YamlReader.lenient().read("a: &x {<<: *x, b: 1}\n");
        assertThat(root.get("a").get("kind")).isNull();
        assertThat(root.get("a").get("b").text()).isEqualTo("1");
    }

    @Test
    void anAliasIsTheSameNodeSoAWalkCanStopAtACycle() {
        YamlNode root = YamlReader.lenient().read("a: &x [*x]\n");
        YamlNode a = root.get("a");
        assertThat(a.items().get(0).identity()).isSameAs(a.identity());
    }

    @Test
    void typedValuesCheckTheirRange() {
        YamlNode root = YamlReader.strict().read("n: 7\nbig: 70\nword: seven\non: yes\nwait: 1m\nzero: 0s\niso: PT2S\n");
        var e = root.entries();
        assertThat(e.get("n").integer(1, 10)).isEqualTo(7);
        assertThatThrownBy(() -> e.get("big").integer(1, 10)).hasMessageEndingWith("must be between 1 and 10, was 70");
        assertThatThrownBy(() -> e.get("word").integer(1, 10)).hasMessageEndingWith("expected a whole number, found 'seven'");
        assertThat(e.get("on").bool()).isTrue();
        assertThatThrownBy(() -> e.get("word").bool()).hasMessageEndingWith("expected true or false, found 'seven'");
        assertThat(e.get("wait").duration()).isEqualTo(Duration.ofMinutes(1));
        assertThat(e.get("iso").duration()).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> e.get("zero").duration()).hasMessageEndingWith("must be a positive duration, was '0s'");
        assertThatThrownBy(() -> e.get("word").duration()).hasMessageContaining("expected a duration");
    }

    @Test
    void anEmptyDocumentIsANullNodeThatReadsAsEmpty() {
        YamlNode root = YamlReader.strict().read("# nothing\n");
        assertThat(root.isNull()).isTrue();
        assertThat(root.entries()).isEmpty();
        assertThat(root.items()).isEmpty();
    }

    @Test
    void syntaxErrorsCarryTheLineAndColumn() {
        assertThatThrownBy(() -> YamlReader.strict().read("a: 1\nb: [unclosed\n"))
                .isInstanceOfSatisfying(YamlError.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.problem()).startsWith("not valid YAML: ");
                });
        assertThatThrownBy(() -> YamlReader.strict().read("a: 1\n---\nb: 2\n")).hasMessageContaining("not valid YAML");
    }

    @Test
    void anEscapeCutShortIsASyntaxErrorNotAnInternalOne() { // found by YamlFuzzTest: SnakeYAML threw NumberFormatException
        assertThatThrownBy(() -> YamlReader.strict().read("- \"esc\\u"))
                .isInstanceOf(YamlError.class).hasMessageContaining("not valid YAML: an escape sequence");
        assertThatThrownBy(() -> YamlReader.lenient().readAll("a: 1\n---\nb: \"\\uZZ\"\n").forEach(d -> { }))
                .isInstanceOf(YamlError.class);
    }

    @Test
    void jsonIsReadAsYamlEvenIndentedWithTabs() {
        YamlNode root = YamlReader.strict().read("{\n\t\"images\": {\n\t\t\"a/b:1\": [\"c/d\"]\n\t}\n}");
        YamlNode images = root.entries().get("images");
        assertThat(images.entries().get("a/b:1").scalars()).containsExactly("c/d");
        assertThat(images.entries().get("a/b:1").keyLine()).isEqualTo(3);
    }

    @Test
    void readAllReturnsTheDocumentsBeforeASyntaxError() {
        List<String> kinds = new ArrayList<>();
        assertThatThrownBy(() -> {
            for (YamlNode doc : YamlReader.lenient().readAll("kind: A\n---\nkind: B\n---\nkind: [\n")) {
                kinds.add(doc.get("kind").text());
            }
        }).isInstanceOfSatisfying(YamlError.class, e -> assertThat(e.line()).isEqualTo(6));
        assertThat(kinds).containsExactly("A", "B");
    }

    @Test
    void theLimitsStopHugeTextsAndAliasBombs() {
        assertThatThrownBy(() -> YamlReader.strict().maxCodePoints(100).read("a: " + "x".repeat(200)))
                .isInstanceOf(YamlError.class).hasMessageContaining("not valid YAML");
        StringBuilder bomb = new StringBuilder("a: &a [x, x]\n");
        for (int i = 0; i < 60; i++) {
            bomb.append("b").append(i).append(": &b").append(i).append(" [*").append(i == 0 ? "a" : "b" + (i - 1)).append("]\n");
        }
        assertThatThrownBy(() -> YamlReader.strict().read(bomb.toString())).isInstanceOf(YamlError.class);
    }
}
