package io.slipway.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a database's schema is, as text two databases can be compared by (tables, column types and nullability,
 * defaults, constraints by name, indexes), and SQL scripts to build one: the tests that show migrations make the
 * schema an install from before them has.
 */
public final class SchemaCatalog {
    private SchemaCatalog() {
    }

    /** One sorted line per column, constraint and index of the current schema; Flyway's history tables left out. */
    public static List<String> describe(Connection c) throws SQLException {
        List<String> lines = new ArrayList<>();
        query(c, lines, """
                select t.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                       || case when a.attnotnull then ' not null' else '' end
                       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                from pg_attribute a
                join pg_class t on t.oid = a.attrelid and t.relkind = 'r'
                join pg_namespace n on n.oid = t.relnamespace and n.nspname = current_schema()
                left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                where a.attnum > 0 and not a.attisdropped and t.relname not like '%schema_history'""");
        query(c, lines, """
                select t.relname || ' constraint ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
                from pg_constraint k
                join pg_class t on t.oid = k.conrelid
                join pg_namespace n on n.oid = t.relnamespace and n.nspname = current_schema()
                where t.relname not like '%schema_history'""");
        query(c, lines, """
                select tablename || ' index ' || indexdef from pg_indexes
                where schemaname = current_schema() and tablename not like '%schema_history'""");
        lines.sort(null);
        return lines;
    }

    /** "version type" (type as Flyway writes it: SQL, BASELINE) per successful row of a Flyway history table, in order. */
    public static List<String> history(Connection c, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select version, type from " + table + " where success order by installed_rank")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return rows;
    }

    /** Runs the statements of a class path SQL script (separated by a ';' at the end of a line). */
    public static void runScript(Connection c, String resource) throws SQLException {
        String script;
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no SQL script " + resource + " on the class path");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Statement st = c.createStatement()) {
            for (String statement : script.split(";\\s*\\R")) {
                String sql = statement.lines().filter(l -> !l.stripLeading().startsWith("--")).reduce("", (a, b) -> a + "\n" + b).strip();
                if (!sql.isEmpty()) {
                    st.execute(sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql);
                }
            }
        }
    }

    private static void query(Connection c, List<String> lines, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
    }
}
