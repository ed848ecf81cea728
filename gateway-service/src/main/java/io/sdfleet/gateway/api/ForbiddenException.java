package io.sdfleet.gateway.api;

/** The caller is known but may not do this (e.g. admin endpoints for a non-admin): answered 403. */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
