/**
 * The scheduler's durable state in PostgreSQL (schema {@code scheduler}): planned requests and their jobs, fair-share
 * usage, leases and drained workers, written through the one connection that holds the active scheduler's lock, and
 * the views (fair queue, leases, drained workers) rebuilt from it when a scheduler becomes active.
 */
package io.sdfleet.scheduler.state;
