/**
 * Finished images: the internal HTTP API workers store them through and the gateway reads them from, the S3 object
 * store and the images table. An image's object is written before its row, so a row never points at missing bytes.
 */
package io.sdfleet.storage.image;
