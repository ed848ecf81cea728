/**
 * The scheduler's side of the broker: the queues it declares, the listener for accepted requests and the follower of
 * the workers' job events.
 */
package io.sdfleet.scheduler.messaging;
