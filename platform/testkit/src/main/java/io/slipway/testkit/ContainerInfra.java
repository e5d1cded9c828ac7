package io.slipway.testkit;

import java.sql.DriverManager;
import java.sql.SQLException;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;

/** Kafka and PostgreSQL (wal_level=logical) in containers, for machines with a Docker engine. */
final class ContainerInfra implements Infra {
    private final KafkaContainer kafka;
    private final PostgreSQLContainer<?> postgres;

    private ContainerInfra(KafkaContainer kafka, PostgreSQLContainer<?> postgres) {
        this.kafka = kafka;
        this.postgres = postgres;
    }

    static Infra start() {
        KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1");
        PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>("postgres:17").withUsername("postgres").withPassword("postgres")
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=20", "-c", "max_wal_senders=20");
        kafka.start();
        postgres.start();
        return new ContainerInfra(kafka, postgres);
    }

    @Override
    public String bootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String dbHost() {
        return postgres.getHost();
    }

    @Override
    public int dbPort() {
        return postgres.getMappedPort(5432);
    }

    @Override
    public String dbUser() {
        return postgres.getUsername();
    }

    @Override
    public String dbPassword() {
        return postgres.getPassword();
    }

    @Override
    public void createDatabaseIfMissing(String name) {
        try (var c = DriverManager.getConnection(postgres.getJdbcUrl(), dbUser(), dbPassword());
             var q = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            q.setString(1, name);
            if (!q.executeQuery().next()) {
                c.createStatement().execute("create database \"" + name.replace("\"", "") + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }
}
