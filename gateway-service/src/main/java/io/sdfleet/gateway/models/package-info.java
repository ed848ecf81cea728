/**
 * The fleet's model registry as the gateway exposes it: cached listings from storage-service and the public upload,
 * listing and delete endpoints.
 */
package io.sdfleet.gateway.models;
