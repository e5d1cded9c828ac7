package io.slipway.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every accessor of every node of any text either answers or throws a {@link YamlError}: nothing else escapes. */
class YamlFuzzTest {

    @Test
    void anyTextReadsOrIsRefusedWithAYamlError() {
        Fuzzer.Report report = Fuzzer.text("yaml",
                        "apiVersion: sealer.io/v2\nkind: Cluster\nmetadata: {name: c1}\nspec:\n  hosts:\n    - ips: [10.0.0.1]\n      roles: [master]\n",
                        "a: &x {b: 1, c: [1, 2]}\nd:\n  <<: *x\n  e: |\n    text\n    more\n",
                        "{\"images\": {\"a/b:1\": [\"c/d\"]}, \"retries\": 3}",
                        "- 1\n- 30s\n- yes\n- ~\n- 'quoted'\n- \"esc\\u00e9\"\n---\nnext: doc\n")
                .dictionary(": ", "- ", "&a ", "*a", "<<: ", "? ", "!!str ", "!!binary ", "!!python/object ", "{", "}", "[", "]",
                        "|", ">-", "---\n", "...\n", "%YAML 1.1\n", "#", "\n  ", "'", "\"", "\\x", "\t")
                .run(input -> {
                    for (YamlNode doc : YamlReader.strict().readAll(input)) {
                        walk(doc, Collections.newSetFromMap(new IdentityHashMap<>()));
                    }
                    walk(YamlReader.lenient().read(input), Collections.newSetFromMap(new IdentityHashMap<>()));
                }, YamlError.class);
        assertThat(report.crashes()).isEmpty();
    }

    private static void walk(YamlNode node, Set<Object> seen) {
        if (node.isNull() || !seen.add(node.identity())) {
            return;
        }
        node.line();
        node.path();
        if (node.isMap()) {
            node.get("a");
            node.entries().values().forEach(v -> walk(v, seen));
        } else if (node.isList()) {
            node.items().forEach(i -> walk(i, seen));
        } else {
            node.start();
            node.end();
            typed(node);
        }
    }

    private static void typed(YamlNode scalar) {
        for (Runnable read : new Runnable[] {() -> scalar.integer(0, 10), scalar::bool, scalar::duration}) {
            try {
                read.run();
            } catch (YamlError expected) {
                // the wrong type for this value, said with its line
            }
        }
    }
}
