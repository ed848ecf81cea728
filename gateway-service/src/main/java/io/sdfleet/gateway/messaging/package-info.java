/**
 * The broker queues and bindings the gateway declares at start-up: the requests queue it publishes to and its own queue
 * of request events.
 */
package io.sdfleet.gateway.messaging;
