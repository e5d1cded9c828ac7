package io.slipway.backbone.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.hibernate.HibernateException;
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
    }

    @Test
    void aStatementTheServerRefusesOrAnyOtherFailureIsNot() {
        assertThat(DatabaseUnavailable.causedBy(pg("23505", "duplicate key value violates unique constraint"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(pg("42P01", "relation \"builds\" does not exist"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new HibernateException("could not map the entity"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new IllegalStateException("a bug"))).isFalse();
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
