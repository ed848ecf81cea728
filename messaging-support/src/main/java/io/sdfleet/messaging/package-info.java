/**
 * What every service on the broker sets up alike: broker names with the deployment's prefix, trace ids carried on
 * messages and in the logging MDC, and the per-worker job queue that both the scheduler and the worker declare.
 */
package io.sdfleet.messaging;
