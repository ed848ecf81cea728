/**
 * The trace id of an HTTP request: taken from the caller (or made, at the fleet's edge), returned in the response and
 * kept in the logging MDC while the request is handled, so that one generation's log lines can be found in every
 * service.
 */
package io.sdfleet.internal.trace;
