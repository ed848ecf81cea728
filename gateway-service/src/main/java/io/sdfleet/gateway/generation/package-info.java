/**
 * The gateway's view of accepted requests: publishing them to the broker, following their events, storing their state
 * in PostgreSQL, reconciling it with storage-service and reading their images back. It also tracks the workers'
 * heartbeats, which tell whether a request can be served now.
 */
package io.sdfleet.gateway.generation;
