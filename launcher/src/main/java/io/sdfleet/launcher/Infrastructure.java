package io.sdfleet.launcher;

/**
 * Where the fleet's servers are: PostgreSQL (JDBC URL, user, password), the AMQP broker, the S3 API, and the
 * broker name prefix (so that several fleets, or test runs, can share one broker).
 */
public record Infrastructure(String jdbcUrl, String dbUser, String dbPassword, String amqpHost, int amqpPort,
                             String amqpUser, String amqpPassword, String s3Endpoint, String s3AccessKey,
                             String s3SecretKey, String s3Bucket, String messagingPrefix) {
}
