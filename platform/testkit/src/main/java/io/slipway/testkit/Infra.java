package io.slipway.testkit;

/** Kafka and PostgreSQL for tests: where they are and how to get a database of one's own. */
public interface Infra {
    String bootstrapServers();

    String dbHost();

    int dbPort();

    String dbUser();

    String dbPassword();

    void createDatabaseIfMissing(String name);
}
