/**
 * What every service on the broker sets up alike: broker names with the deployment's prefix, trace ids carried on
 * messages and in the logging MDC, the exchanges every service uses, and the queues several services declare alike
 * (each service declares only the shared queues it touches, and its own).
 */
package io.sdfleet.messaging;
