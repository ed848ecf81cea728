/**
 * The worker's Spring Boot application and its properties. A worker takes one job at a time from the broker and runs
 * the diffusion engine on it.
 */
package io.sdfleet.worker;
