package io.slipway.event.ingest;

import io.slipway.backbone.BackboneConfig;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Where the ingest's database connections come from: in the service, its Quarkus datasource (the Agroal pool the
 * migrations use too); outside Quarkus (tests, the benchmark), straight from the PostgreSQL driver.
 */
@FunctionalInterface
public interface IngestConnections {

    Connection open() throws SQLException;

    /** Connections of the service's pool: a store holds one for its run and gives it back when the run ends. */
    static IngestConnections pooled(DataSource pool) {
        return pool::getConnection;
    }

    /**
     * New connections to the service's database. The driver itself rather than DriverManager, which answers only with
     * drivers its caller's class loader can see: a test JVM that ran a Quarkus application before holds the driver of
     * that application's class loader.
     */
    static IngestConnections direct(BackboneConfig config) {
        Driver driver = new org.postgresql.Driver();
        String url = config.jdbcUrl();
        Properties credentials = new Properties();
        credentials.setProperty("user", config.db().user());
        credentials.setProperty("password", config.db().password());
        return () -> {
            Connection c = driver.connect(url, credentials);
            if (c == null) {
                throw new SQLException("not a PostgreSQL URL: " + url);
            }
            return c;
        };
    }
}
