/**
 * ./sd models: the fleet's model registry through the gateway, with uploads streamed from disk.
 */
package io.sdfleet.launcher.models;
