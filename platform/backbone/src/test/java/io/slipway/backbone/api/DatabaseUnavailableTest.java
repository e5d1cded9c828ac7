package io.slipway.backbone.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.CompositeException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.SocketException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.hibernate.HibernateException;
import org.hibernate.JDBCException;
import org.junit.jupiter.api.Test;

/** What counts as "the database is unreachable just now" (503) and what stays a failure of its own (500). */
class DatabaseUnavailableTest {

    @Test
    void aRefusedOrClosedConnectionOrAServerStartingUpIsUnavailableHoweverWrapped() {
        assertThat(DatabaseUnavailable.causedBy(new ConnectException("Connection refused: /127.0.0.1:5432"))).isTrue();
        assertThat(DatabaseUnavailable.causedBy(new HibernateException(new CompletionException(ClosedConnectionException.INSTANCE)))).isTrue();
        assertThat(DatabaseUnavailable.causedBy(pg("57P03", "the database system is starting up"))).isTrue();
        assertThat(DatabaseUnavailable.causedBy(pg("57P01", "terminating connection due to administrator command"))).isTrue();
        assertThat(DatabaseUnavailable.causedBy(new CompletionException(pg("08006", "connection failure")))).isTrue();
        assertThat(DatabaseUnavailable.causedBy(new NoStackTraceThrowable("Connection is not active now, current status: CLOSED"))).isTrue();
        // Hibernate Reactive's conversion keeps the SQLSTATE on a SQLException and drops the PgException
        assertThat(DatabaseUnavailable.causedBy(new JDBCException("error executing SQL statement",
                new SQLException("terminating connection due to administrator command", "57P01")))).isTrue();
        // a statement that failed and a rollback that failed after it
        assertThat(DatabaseUnavailable.causedBy(new CompositeException(new HibernateException(new SocketException("Connection reset")),
                new SocketException("Connection reset")))).isTrue();
        assertThat(DatabaseUnavailable.causedBy(new CompositeException(new HibernateException("could not execute"),
                ClosedConnectionException.INSTANCE))).isTrue();
    }

    @Test
    void aStatementTheServerRefusesOrAnyOtherFailureIsNot() {
        assertThat(DatabaseUnavailable.causedBy(pg("23505", "duplicate key value violates unique constraint"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(pg("42P01", "relation \"builds\" does not exist"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new HibernateException("could not map the entity"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new IllegalStateException("a bug"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new JDBCException("constraint", new SQLException("duplicate key", "23505")))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new CompositeException(new IllegalStateException("a bug"),
                new IllegalArgumentException("and another")))).isFalse();
        Throwable loop = new RuntimeException("wraps itself") {
            @Override
            public synchronized Throwable getCause() {
                return this;
            }
        };
        assertThat(DatabaseUnavailable.causedBy(loop)).isFalse();
    }

    private static PgException pg(String sqlState, String message) {
        return new PgException(message, "FATAL", sqlState, null);
    }
}
