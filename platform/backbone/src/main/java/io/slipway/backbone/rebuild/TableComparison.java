package io.slipway.backbone.rebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Compares one table of two schemas row by row, rows matched by primary key, columns by their text. */
final class TableComparison {
    /** How many rows of each kind of difference a report lists (all are counted). */
    static final int LISTED = 50;

    private TableComparison() {
    }

    static RebuildReport.Table compare(Connection c, String liveSchema, String rebuiltSchema, String table) throws SQLException {
        List<String> key = primaryKey(c, liveSchema, table);
        Map<String, Map<String, String>> live = rows(c, liveSchema, table, key);
        Map<String, Map<String, String>> rebuilt = rows(c, rebuiltSchema, table, key);
        List<String> onlyLive = new ArrayList<>();
        List<String> onlyRebuilt = new ArrayList<>();
        List<String> differing = new ArrayList<>();
        int[] counts = new int[3];
        live.forEach((k, row) -> {
            Map<String, String> other = rebuilt.get(k);
            if (other == null) {
                counts[0]++;
                add(onlyLive, k);
                return;
            }
            row.forEach((column, value) -> {
                if (!Objects.equals(value, other.get(column))) {
                    counts[2]++;
                    add(differing, k + ": " + column + " is " + quoted(value) + " live, " + quoted(other.get(column)) + " rebuilt");
                }
            });
        });
        rebuilt.keySet().stream().filter(k -> !live.containsKey(k)).forEach(k -> {
            counts[1]++;
            add(onlyRebuilt, k);
        });
        return new RebuildReport.Table(table, live.size(), rebuilt.size(), counts[0], onlyLive, counts[1], onlyRebuilt, counts[2], differing);
    }

    private static void add(List<String> listed, String line) {
        if (listed.size() < LISTED) {
            listed.add(line);
        }
    }

    private static String quoted(String value) {
        return value == null ? "null" : "'" + value + "'";
    }

    private static List<String> primaryKey(Connection c, String schema, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("""
                select a.attname from pg_index i
                join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                where i.indrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass and i.indisprimary
                order by array_position(i.indkey, a.attnum)""")) {
            st.setString(1, schema);
            st.setString(2, table);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new IllegalStateException("read model table " + table + " has no primary key to compare its rows by");
        }
        return columns;
    }

    /** Every row, keyed by {@code column=value} of its primary key, as column to text (sorted by key). */
    private static Map<String, Map<String, String>> rows(Connection c, String schema, String table, List<String> key) throws SQLException {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select * from " + schema + "." + table)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnName(i), rs.getString(i));
                }
                List<String> id = new ArrayList<>();
                key.forEach(k -> id.add(k + "=" + row.get(k)));
                rows.put(String.join(",", id), row);
            }
        }
        return rows;
    }
}
