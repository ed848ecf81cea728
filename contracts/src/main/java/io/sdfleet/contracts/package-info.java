/**
 * The messages the services exchange over the AMQP broker (requests, jobs, progress, faults, heartbeats) and the broker
 * names they travel under. Every service depends on this module and on nothing of the others, so the wire format is
 * defined once and kept apart from any service's implementation.
 */
package io.sdfleet.contracts;
