/**
 * The native asynchronous API (/api/v1/generations), the web page's endpoints and token counter, and the error handling
 * shared by all controllers and filters (RFC 9457 problem+json, body size and content-type checks).
 */
package io.sdfleet.gateway.api;
