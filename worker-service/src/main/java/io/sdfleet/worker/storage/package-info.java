/**
 * The client that hands finished images to storage-service and returns only once they are stored.
 */
package io.sdfleet.worker.storage;
