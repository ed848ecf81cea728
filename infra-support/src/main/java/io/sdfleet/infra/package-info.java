/**
 * The infrastructure servers for tests and local mode: an embedded AMQP broker, an S3 API server, throwaway PostgreSQL
 * databases and the internal credential the services' tests share. It is a module of its own because the services need
 * it only in their tests (test scope), while the launcher uses it at run time.
 */
package io.sdfleet.infra;
