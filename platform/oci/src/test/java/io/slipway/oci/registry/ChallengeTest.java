package io.slipway.oci.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** WWW-Authenticate headers as registries send them. */
class ChallengeTest {

    @Test
    void bearerWithQuotedParametersHoldingCommas() {
        List<Challenge> cs = Challenge.parse("Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
                + "scope=\"repository:team/app:pull,push\",error=\"insufficient_scope\"");
        assertThat(cs).singleElement().satisfies(c -> {
            assertThat(c.isBearer()).isTrue();
            assertThat(c.param("realm")).isEqualTo("https://auth.example.com/token");
            assertThat(c.param("service")).isEqualTo("registry.example.com");
            assertThat(c.param("scope")).isEqualTo("repository:team/app:pull,push");
        });
    }

    @Test
    void severalChallengesAndUnquotedValues() {
        List<Challenge> cs = Challenge.parse("Basic realm=\"Registry Realm\", Bearer realm=https://a/token,service=reg");
        assertThat(cs).extracting(Challenge::scheme).containsExactly("basic", "bearer");
        assertThat(cs.get(0).param("realm")).isEqualTo("Registry Realm");
        assertThat(cs.get(1).param("service")).isEqualTo("reg");
        assertThat(Challenge.parse(null)).isEmpty();
        assertThat(Challenge.parse("")).isEmpty();
    }
}
