package io.sdfleet.infra;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database on the machine's real PostgreSQL (127.0.0.1:5432, user postgres, or SDFLEET_TEST_PG_* settings;
 * an embedded one when none answers, see {@link TestServers}), dropped again on close, so test runs never see each
 * other's rows.
 */
public final class TestDatabase implements AutoCloseable {

    private final String adminUrl;
    private final String user;
    private final String password;
    private final String name;

    private TestDatabase(String adminUrl, String user, String password, String name) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.password = password;
        this.name = name;
    }

    public static TestDatabase create() throws SQLException {
        TestServers.Endpoint server = TestServers.postgres();
        String user = TestServers.env("SDFLEET_TEST_PG_USER", "postgres");
        String password = TestServers.env("SDFLEET_TEST_PG_PASSWORD", "");
        String admin = "jdbc:postgresql://" + server.host() + ":" + server.port() + "/postgres";
        String name = "sdfleet_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(admin, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new TestDatabase(admin, user, password, name);
    }

    public String url() {
        return adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
