package io.sdfleet.gateway.auth;

/** Who is calling: a user name, whether they are an admin, and their limits (null when unauthenticated mode). */
public record Caller(String name, boolean admin, Integer maxConcurrentJobs, Integer maxImagesPerDay) {

    /** The request attribute the authentication filter leaves the caller under. */
    public static final String ATTRIBUTE = "sdfleet.caller";
}
