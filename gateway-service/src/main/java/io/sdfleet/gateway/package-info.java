/**
 * The gateway's Spring Boot application and its configuration properties. The sub-packages hold the APIs,
 * authentication, the tracking of generations and the broker wiring.
 */
package io.sdfleet.gateway;
