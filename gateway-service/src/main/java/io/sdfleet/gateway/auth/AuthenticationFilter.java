package io.sdfleet.gateway.auth;

import io.sdfleet.gateway.api.FilterProblems;
import io.sdfleet.internal.InternalCredential;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Every request but the public ones ({@link RequestAccess}) is made by someone. With authentication on, that is the
 * owner of a Bearer API key or of A1111-style basic credentials, and anything else is answered 401 before any
 * controller runs; meters and API docs also need an admin or the fleet's internal credential (a Prometheus scraper
 * holds that one), unless configured public. Repeated wrong credentials
 * from one address, or wrong passwords for one user name, are answered 429 for a while ({@link LoginThrottle}).
 * With authentication off (local development) the {@code X-Sdfleet-User} header names the caller.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10) // right after the trace id is set, before anything reads a body
public class AuthenticationFilter extends OncePerRequestFilter {

    private static final String CHALLENGE = "Bearer realm=\"sdfleet\", Basic realm=\"sdfleet\"";

    private final AuthProperties properties;
    private final Authenticator authenticator;
    private final LoginThrottle throttle;
    private final InternalCredential internal;

    public AuthenticationFilter(AuthProperties properties, Authenticator authenticator, LoginThrottle throttle,
                                InternalCredential internal) {
        this.internal = internal;
        this.properties = properties;
        this.authenticator = authenticator;
        this.throttle = throttle;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        RequestAccess.Level access = RequestAccess.of(request);
        if (!properties.enabled()) {
            String header = request.getHeader("X-Sdfleet-User");
            String name = header == null || header.isBlank() ? "anonymous" : header.trim();
            request.setAttribute(Caller.ATTRIBUTE, new Caller(name, false, null, null));
            chain.doFilter(request, response);
            return;
        }
        if (access == RequestAccess.Level.PUBLIC
                || access == RequestAccess.Level.OPERATIONS && properties.publicOperations()) {
            chain.doFilter(request, response);
            return;
        }
        String header = request.getHeader("Authorization");
        if (access == RequestAccess.Level.OPERATIONS && internal.isPresentedBy(header)) {
            chain.doFilter(request, response); // the fleet's scraper: meters and docs, never a user's endpoints
            return;
        }
        String address = request.getRemoteAddr();
        String claimedUser = Authenticator.claimedUser(header).orElse(null);
        Optional<Duration> wait = header == null ? Optional.empty() : throttle.wait(address, claimedUser);
        if (wait.isPresent()) {
            response.setHeader("Retry-After", String.valueOf(Math.max(1, wait.get().toSeconds())));
            FilterProblems.write(response, HttpStatus.TOO_MANY_REQUESTS,
                    "too many failed sign-in attempts; try again later", "Authorization", "too many failed attempts");
            return;
        }
        Optional<Users.User> user = authenticator.authenticate(header);
        if (user.isEmpty()) {
            if (header != null) {
                throttle.failed(address, claimedUser);
            }
            response.setHeader("WWW-Authenticate", CHALLENGE);
            FilterProblems.write(response, HttpStatus.UNAUTHORIZED,
                    "send an API key as 'Authorization: Bearer <key>' or user and password as basic auth",
                    "Authorization", "missing or not valid");
            return;
        }
        Users.User u = user.get();
        if (access == RequestAccess.Level.OPERATIONS && !u.admin()) {
            FilterProblems.write(response, HttpStatus.FORBIDDEN, "meters and API docs are for admins", null, null);
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, new Caller(u.name(), u.admin(), u.maxConcurrentJobs(), u.maxImagesPerDay()));
        chain.doFilter(request, response);
    }
}
