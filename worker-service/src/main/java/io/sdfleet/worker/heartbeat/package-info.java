/**
 * The worker's periodic heartbeat: what it is, how much memory it has and what it is running.
 */
package io.sdfleet.worker.heartbeat;
