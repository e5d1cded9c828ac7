package io.slipway.testkit;

import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;

/** Kafka and PostgreSQL (wal_level=logical) in containers, for machines with a Docker engine; stopped by Ryuk at exit. */
final class ContainerInfra {
    private ContainerInfra() {
    }

    static Infra start() {
        KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1");
        PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:17").withUsername("postgres").withPassword("postgres")
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=20", "-c", "max_wal_senders=20");
        kafka.start();
        postgres.start();
        return new Infra(kafka.getBootstrapServers(), postgres.getHost(), postgres.getMappedPort(5432), postgres.getUsername(),
                postgres.getPassword());
    }
}
