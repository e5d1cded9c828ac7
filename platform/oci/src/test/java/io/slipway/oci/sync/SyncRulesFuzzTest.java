package io.slipway.oci.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Any sync rules text (YAML or JSON) is read or refused with a {@link RulesException} naming file and line. */
class SyncRulesFuzzTest {

    @Test
    void anyRulesAreReadOrRefusedWithTheirLine() {
        Map<String, String> env = Map.of("REG_USER", "u", "REG_PASS", "p");
        Fuzzer.Report report = Fuzzer.text("sync rules",
                        """
                        auth:
                          127.0.0.1:5000: {username: ${REG_USER}, password: ${REG_PASS}, insecure: true}
                        images:
                          127.0.0.1:5000/team/app: 127.0.0.1:5001/mirror/app
                          127.0.0.1:5000/team/web:v1,v2: [127.0.0.1:5001/a/web, 127.0.0.1:5002/b/web]
                          "127.0.0.1:5000/team/api:/^v1\\\\./": 127.0.0.1:5001/api
                        platforms: [linux/amd64, linux/arm64/v8]
                        concurrency: 3
                        retries: 1
                        """,
                        "{\"images\": {\"a.example.com/x/y@sha256:" + "ab".repeat(32) + "\": [\"b.example.com/x/y\"]}, \"os\": [\"linux\"], \"arch\": \"amd64\"}",
                        "a.example.com/x: b.example.com/y\n")
                .dictionary("images:", "auth:", "platforms:", "os:", "arch:", "concurrency: ", "retries: ", ": ", "- ", "[", "]", "{",
                        "}", "\"", "@sha256:", ":/", "/", ",", "${REG_USER}", "${MISSING}", "$REG_PASS", "insecure: ", "caFile: ",
                        "skipTlsVerify: ", "linux/arm/v7", "0", "-1", "99999999999")
                .run(input -> SyncRules.parse(input, "rules.yaml", env::get), RulesException.class);
        assertThat(report.crashes()).isEmpty();
    }
}
