/**
 * ./sd admin: user and API key administration through the gateway's admin API.
 */
package io.sdfleet.launcher.admin;
