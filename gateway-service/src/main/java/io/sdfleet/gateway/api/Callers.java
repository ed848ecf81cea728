package io.sdfleet.gateway.api;

import io.sdfleet.gateway.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;

/** Who is calling, as the authentication filter established it. */
public final class Callers {

    private Callers() {
    }

    public static String of(HttpServletRequest request) {
        return caller(request).name();
    }

    public static Caller caller(HttpServletRequest request) {
        Object caller = request.getAttribute(Caller.ATTRIBUTE);
        if (caller instanceof Caller c) {
            return c;
        }
        // Reached only by paths the filter does not cover; never by an API call.
        throw new IllegalStateException("no caller established for " + request.getRequestURI());
    }
}
