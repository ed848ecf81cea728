/**
 * The storage service's metrics, and the trace ids its callers send (into the logging MDC while their call is handled).
 */
package io.sdfleet.storage.ops;
