package io.slipway.schemas;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The rule every contract change must pass: the current schema reads data written with each released version
 * (backward) and each released version reads data written with the current one (forward), and the current schema
 * itself is released, so whatever the code writes today stays decodable for as long as topics keep it.
 */
public final class EvolutionCheck {
    private EvolutionCheck() {
    }

    /** Problems found, each naming the record, the version and the incompatibility; empty when the change is safe. */
    public static List<String> problems(Schema current, List<Schema> released) {
        List<String> problems = new ArrayList<>();
        String name = current.getFullName();
        if (released.isEmpty()) {
            problems.add(name + ": no released version; copy it to schemas/released/" + name + "/v1.avsc and list it in INDEX");
            return problems;
        }
        boolean isReleased = false;
        for (int i = 0; i < released.size(); i++) {
            Schema old = released.get(i);
            String version = "v" + (i + 1);
            isReleased |= SchemaCatalog.fingerprint(old) == SchemaCatalog.fingerprint(current);
            describe(problems, name, version, "the current schema cannot read data written with " + version,
                    SchemaCompatibility.checkReaderWriterCompatibility(current, old));
            describe(problems, name, version, "readers of " + version + " cannot read data written with the current schema",
                    SchemaCompatibility.checkReaderWriterCompatibility(old, current));
        }
        if (!isReleased) {
            problems.add(name + ": the current schema differs from every released version; release it as schemas/released/"
                    + name + "/v" + (released.size() + 1) + ".avsc (and list it in INDEX) so events written with it stay decodable");
        }
        return problems;
    }

    private static void describe(List<String> problems, String name, String version, String what, SchemaPairCompatibility result) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        StringBuilder why = new StringBuilder();
        result.getResult().getIncompatibilities().forEach(inc -> why.append("; ").append(inc.getType()).append(" at ")
                .append(inc.getLocation()).append(": ").append(inc.getMessage()));
        problems.add(name + " vs " + version + ": " + what + why);
    }
}
