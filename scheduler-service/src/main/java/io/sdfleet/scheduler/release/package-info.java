/**
 * Fair release: jobs wait here in one queue per user and are handed to the workers by least recent usage in pixel-
 * steps, only as many as idle workers can start. Holding jobs here rather than on the broker is what lets users take
 * turns.
 */
package io.sdfleet.scheduler.release;
