/**
 * Splitting a request into jobs (one batch each, sized to what the workers can hold) and the registry of workers heard
 * from recently.
 */
package io.sdfleet.scheduler.planning;
