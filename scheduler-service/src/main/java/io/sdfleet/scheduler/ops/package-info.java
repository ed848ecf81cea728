/**
 * The scheduler's metrics.
 */
package io.sdfleet.scheduler.ops;
