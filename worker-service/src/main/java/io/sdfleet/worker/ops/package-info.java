/**
 * The worker's metrics.
 */
package io.sdfleet.worker.ops;
