/**
 * Local mode: the four services in one JVM, with PostgreSQL, the AMQP broker and the S3 API taken from the environment
 * or started embedded, and the clean-up of servers left running by a killed run. Also the shared plumbing of the ./sd
 * commands that call the gateway.
 */
package io.sdfleet.launcher;
