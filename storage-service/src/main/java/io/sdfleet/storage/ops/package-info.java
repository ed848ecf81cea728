/**
 * The storage service's metrics, the trace ids its callers send (into the logging MDC while their call is handled), and
 * the 400 answer to a missing or mistyped parameter on any endpoint.
 */
package io.sdfleet.storage.ops;
