package io.sdfleet.gateway.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * Every API call ({@code /sdapi/**}, {@code /api/**}) is made by someone. With authentication on, that is the
 * owner of a Bearer API key or of A1111-style basic credentials, and anything else is answered 401 before any
 * controller runs; with it off (local development) the {@code X-Sdfleet-User} header names the caller.
 */
@Component
public class AuthenticationFilter extends OncePerRequestFilter {

    private final AuthProperties properties;
    private final Authenticator authenticator;

    public AuthenticationFilter(AuthProperties properties, Authenticator authenticator) {
        this.properties = properties;
        this.authenticator = authenticator;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.startsWith("/sdapi/") || path.startsWith("/api/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!properties.enabled()) {
            String header = request.getHeader("X-Sdfleet-User");
            String name = header == null || header.isBlank() ? "anonymous" : header.trim();
            request.setAttribute(Caller.ATTRIBUTE, new Caller(name, false, null, null));
            chain.doFilter(request, response);
            return;
        }
        Optional<Users.User> user = authenticator.authenticate(request.getHeader("Authorization"));
        if (user.isEmpty()) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setHeader("WWW-Authenticate", "Bearer realm=\"sdfleet\", Basic realm=\"sdfleet\"");
            response.setContentType("application/problem+json");
            response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                    + "\"detail\":\"send an API key as 'Authorization: Bearer <key>' or user and password as basic auth\","
                    + "\"errors\":[{\"field\":\"Authorization\",\"message\":\"missing or not valid\"}]}");
            return;
        }
        Users.User u = user.get();
        request.setAttribute(Caller.ATTRIBUTE, new Caller(u.name(), u.admin(), u.maxConcurrentJobs(), u.maxImagesPerDay()));
        chain.doFilter(request, response);
    }
}
