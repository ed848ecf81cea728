/**
 * The messages the services exchange over the AMQP broker (requests, jobs, progress, faults, heartbeats) and the broker
 * names they travel under. Every service depends on this module and on nothing of the others, so the wire format is
 * defined once and kept apart from any service's implementation; a request's parameters are the request model's
 * records ({@code io.sdfleet.request}), carried as they are. Their JSON is what Jackson makes of the records, checked
 * by a round trip of every message.
 */
package io.sdfleet.contracts;
