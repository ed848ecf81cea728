package io.sdfleet.launcher;

import io.sdfleet.infra.EmbeddedBroker;
import io.sdfleet.infra.S3ProxyServer;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL, an AMQP broker and an S3 API for local mode: each taken from the environment when named there
 * ({@code SDFLEET_DB_URL}, {@code SDFLEET_AMQP_HOST}, {@code SDFLEET_S3_ENDPOINT}), else started here with its data
 * under {@code home}. The AMQP broker is the local RabbitMQ when one answers, else an embedded Qpid broker. Embedded
 * servers that a killed earlier run left behind are stopped first ({@link OrphanedServers}), and the start says so.
 */
public final class LocalInfrastructure {

    private LocalInfrastructure() {
    }

    /** Starts what is missing; everything started is added to {@code started} (close in reverse order). */
    public static Infrastructure start(Path home, List<AutoCloseable> started) throws Exception {
        return start(home, started, System.getenv());
    }

    /** As {@link #start(Path, List)}, reading settings from {@code env} instead of the process environment. */
    public static Infrastructure start(Path home, List<AutoCloseable> started, Map<String, String> env) throws Exception {
        Settings settings = new Settings(env);
        for (String line : OrphanedServers.claimAndStop(home)) {
            System.out.println("sdfleet: " + line);
        }
        String jdbc = env.get("SDFLEET_DB_URL");
        if (jdbc == null) {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(home.resolve("postgres")).setCleanDataDirectory(false)
                    .setPort(Integer.parseInt(settings.get("SDFLEET_DB_PORT", "54329"))).start();
            started.add(postgres);
            jdbc = postgres.getJdbcUrl("postgres", "postgres");
        }
        String amqpHost = settings.get("SDFLEET_AMQP_HOST", "127.0.0.1");
        int amqpPort = Integer.parseInt(settings.get("SDFLEET_AMQP_PORT", "5672"));
        if (env.get("SDFLEET_AMQP_HOST") == null && !EmbeddedBroker.reachable(amqpHost, amqpPort)) {
            started.add(EmbeddedBroker.start(home.resolve("broker"), amqpPort));
        }
        String s3 = env.get("SDFLEET_S3_ENDPOINT");
        if (s3 == null) {
            S3ProxyServer server = S3ProxyServer.start(home.resolve("s3"));
            started.add(server);
            s3 = server.endpoint();
        }
        return new Infrastructure(jdbc, settings.get("SDFLEET_DB_USER", "postgres"), settings.get("SDFLEET_DB_PASSWORD", ""),
                amqpHost, amqpPort, settings.get("SDFLEET_AMQP_USER", "guest"), settings.get("SDFLEET_AMQP_PASSWORD", "guest"), s3,
                settings.get("SDFLEET_S3_ACCESS_KEY", S3ProxyServer.IDENTITY), settings.get("SDFLEET_S3_SECRET_KEY", S3ProxyServer.CREDENTIAL),
                settings.get("SDFLEET_S3_BUCKET", "sdfleet-images"), settings.get("SDFLEET_MESSAGING_PREFIX", ""));
    }

    /** Environment lookups with defaults for blank or missing values. */
    private record Settings(Map<String, String> env) {
        String get(String name, String fallback) {
            String v = env.get(name);
            return v == null || v.isBlank() ? fallback : v;
        }
    }
}
