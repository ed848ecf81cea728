/**
 * Operational concerns of the gateway: metrics, trace ids, CORS, browser security headers and the OpenAPI description
 * of the native API. None of it takes part in handling a generation.
 */
package io.sdfleet.gateway.ops;
