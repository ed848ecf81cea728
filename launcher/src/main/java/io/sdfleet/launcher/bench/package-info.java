/**
 * ./sd fleet-bench: the fleet's own cost per image (queueing, messaging, storage and HTTP) measured through the A1111
 * API, as opposed to the engine benchmarks in the diffusion module.
 */
package io.sdfleet.launcher.bench;
