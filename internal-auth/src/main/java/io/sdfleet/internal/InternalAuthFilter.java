package io.sdfleet.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Answers 401 to every call that lacks the fleet's internal credential, except the health probes (the kubelet and
 * load balancers send no secret, and health shows no details). A probe is recognised only when its raw path is
 * spelled exactly as the routed one, so no encoded or {@code ;param} spelling of another path passes as a probe.
 */
public class InternalAuthFilter extends OncePerRequestFilter {

    private static final Set<String> PROBES = Set.of("/actuator/health", "/actuator/health/liveness",
            "/actuator/health/readiness");
    private static final byte[] PROBLEM = ("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
            + "\"detail\":\"this port serves the fleet's own services: send the fleet's internal credential as"
            + " 'Authorization: Bearer <SDFLEET_INTERNAL_TOKEN>'\"}").getBytes(StandardCharsets.UTF_8);

    private final InternalCredential credential;

    public InternalAuthFilter(InternalCredential credential) {
        this.credential = credential;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isHealthProbe(request) || credential.isPresentedBy(request.getHeader("Authorization"))) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("WWW-Authenticate", "Bearer realm=\"sdfleet-internal\"");
        response.setContentType("application/problem+json");
        response.getOutputStream().write(PROBLEM);
    }

    /** A health probe, spelled exactly (raw path equal to the path the server routes). */
    public static boolean isHealthProbe(HttpServletRequest request) {
        return RoutedPath.spelledAsRouted(request) && PROBES.contains(RoutedPath.of(request));
    }
}
