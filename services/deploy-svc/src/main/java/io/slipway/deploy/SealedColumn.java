package io.slipway.deploy;

import io.quarkus.arc.Arc;
import io.slipway.security.SecretBox;
import jakarta.persistence.AttributeConverter;

/**
 * A text column sealed at rest ({@link SecretBox}, key in deploy-svc's data directory): a copy of the database or a
 * backup shows none of it. The purpose is bound to each value, so one column's value does not open as another's. A row
 * written before sealing is read as it is and sealed when next written.
 */
public abstract class SealedColumn implements AttributeConverter<String, String> {
    private final String purpose;

    protected SealedColumn(String purpose) {
        this.purpose = purpose;
    }

    private static SecretBox box() {
        return Arc.container().instance(DeployData.class).get().secrets();
    }

    @Override
    public String convertToDatabaseColumn(String plain) {
        return plain == null ? null : box().seal(plain, purpose);
    }

    @Override
    public String convertToEntityAttribute(String stored) {
        return stored == null ? null : box().open(stored, purpose);
    }
}
