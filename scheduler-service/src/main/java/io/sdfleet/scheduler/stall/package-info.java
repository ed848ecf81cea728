/**
 * Watching released jobs: deadlines, leases of which worker runs what, requeueing stalled jobs, and counting worker
 * faults until a worker is drained. Failures that repeat on different workers are blamed on the job instead.
 */
package io.sdfleet.scheduler.stall;
