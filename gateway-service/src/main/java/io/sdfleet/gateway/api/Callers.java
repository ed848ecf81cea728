package io.sdfleet.gateway.api;

import jakarta.servlet.http.HttpServletRequest;

/** Who is calling: the {@code X-Sdfleet-User} header, else "anonymous" (authentication comes later). */
public final class Callers {

    private Callers() {
    }

    public static String of(HttpServletRequest request) {
        String user = request.getHeader("X-Sdfleet-User");
        return user == null || user.isBlank() ? "anonymous" : user.trim();
    }
}
