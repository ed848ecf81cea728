/**
 * AUTOMATIC1111's /sdapi/v1 API as a synchronous facade over the fleet: the request model and its field table, coercion
 * and validation as A1111's pydantic models do it, per-user options, listings and responses. A1111 compatibility is
 * kept here so that the native API and the rest of the gateway do not take on A1111's quirks.
 */
package io.sdfleet.gateway.a1111;
