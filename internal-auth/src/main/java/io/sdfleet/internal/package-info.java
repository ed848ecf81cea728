/**
 * The credential the fleet's services share: signing outgoing calls with it and guarding the main and management ports
 * of storage, the scheduler and the workers. Every service auto-configures it from this module.
 */
package io.sdfleet.internal;
