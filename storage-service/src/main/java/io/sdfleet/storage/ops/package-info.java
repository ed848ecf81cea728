/**
 * The storage service's metrics and the filter that puts a request's trace id into the logging MDC.
 */
package io.sdfleet.storage.ops;
