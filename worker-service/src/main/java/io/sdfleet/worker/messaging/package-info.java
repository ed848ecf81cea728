/**
 * The worker's side of the broker: the queues and exchanges it declares and the publisher of its events and heartbeats.
 */
package io.sdfleet.worker.messaging;
