/**
 * Taking and running jobs: the listener with manual acknowledgement, the runner that generates, reports and stores,
 * cancellations and skips heard from the events exchange, and draining on the scheduler's order.
 */
package io.sdfleet.worker.job;
