/**
 * How the gateway and the workers call storage-service: one {@link io.sdfleet.storageclient.StorageServiceClient}
 * (Spring's RestClient on the JDK HTTP client) that signs every call with the fleet's internal credential, and the
 * model registry's entries as storage-service lists them ({@link io.sdfleet.storageclient.RegisteredModel}).
 */
package io.sdfleet.storageclient;
