/**
 * Who may call the gateway and how much they may ask for: API keys and passwords, users and admins in PostgreSQL, per-
 * user limits, login throttling and path-based access rules. Controllers only see the resulting Caller.
 */
package io.sdfleet.gateway.auth;
