/**
 * The storage service's Spring Boot application. Images and model files are kept in S3 buckets with their metadata in
 * PostgreSQL; the sub-packages hold each kind.
 */
package io.sdfleet.storage;
