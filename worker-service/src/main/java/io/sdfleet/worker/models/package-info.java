/**
 * Models and extra networks the local folder lacks, pulled on demand from the fleet's registry into a bounded cache.
 */
package io.sdfleet.worker.models;
