package io.slipway.testkit;

import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Where the test JVM's Kafka and PostgreSQL are. Plain values, so that every class loader of a Quarkus test run
 * (the application's and the test's) sees the same servers.
 */
public record Infra(String bootstrapServers, String dbHost, int dbPort, String dbUser, String dbPassword) {

    /** Creates the database unless it exists; true if this call created it. */
    public boolean createDatabaseIfMissing(String name) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name '" + name + "' must be lower-case letters, digits and _");
        }
        try (var c = DriverManager.getConnection(jdbcUrl("postgres"), dbUser, dbPassword);
             var q = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            q.setString(1, name);
            if (!q.executeQuery().next()) {
                c.createStatement().execute("create database " + name);
                return true;
            }
            return false;
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // created meanwhile by another test class
                throw new IllegalStateException("cannot create database " + name + " at " + dbHost + ":" + dbPort + ": " + e.getMessage(), e);
            }
            return false;
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + dbHost + ":" + dbPort + "/" + database;
    }
}
