/**
 * One active scheduler at a time: the one holding PostgreSQL's advisory lock takes requests and job events, releases
 * and watches jobs; others stand by, polling for the lock. Becoming active rebuilds the in-memory views from the
 * durable state.
 */
package io.sdfleet.scheduler.activity;
