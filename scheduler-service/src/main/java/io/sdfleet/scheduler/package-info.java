/**
 * The scheduler's Spring Boot application and its release and splitting properties. It turns accepted requests into
 * jobs and releases them to the workers so that users take turns.
 */
package io.sdfleet.scheduler;
