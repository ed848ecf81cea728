package io.sdfleet.gateway.ops;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cross-origin calls as A1111 allows them with {@code --cors-allow-origins} and {@code --cors-allow-origins-regex}:
 * Starlette's CORSMiddleware with every method, every header and credentials. Nothing is configured by default, and
 * then nothing here happens (a browser refuses other sites' pages the answers, as before).
 *
 * <p>It runs before authentication: a browser's preflight carries no credentials, and A1111 answers it before its
 * API's auth too. The headers of an actual call are set before the chain runs, so the 401, 403, 413 or 429 a later
 * filter writes carries them and the calling page can read the error. The gateway's Content-Security-Policy governs
 * only documents it serves itself (its web page), never a fetch from another site's page.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5) // after the trace id and the browser headers, before authentication
public class Cors extends OncePerRequestFilter {

    /**
     * {@code sdfleet.gateway.cors.*}; both empty (the default) turns CORS off.
     *
     * @param allowOrigins      exact origins ({@code https://app.example:8443}; {@code *} is any origin), as
     *                          {@code --cors-allow-origins=a,b}
     * @param allowOriginsRegex origins matching this regular expression as a whole, as
     *                          {@code --cors-allow-origins-regex} (Python's {@code fullmatch})
     */
    @ConfigurationProperties("sdfleet.gateway.cors")
    public record Settings(List<String> allowOrigins, String allowOriginsRegex) {
        public Settings {
            allowOrigins = allowOrigins == null ? List.of()
                    : allowOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
            allowOriginsRegex = allowOriginsRegex == null || allowOriginsRegex.isBlank() ? null : allowOriginsRegex;
        }
    }

    /** Starlette's expansion of {@code allow_methods=["*"]}; a preflight for any other method is refused. */
    static final String ALL_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";
    private static final Set<String> METHODS = Set.of(ALL_METHODS.split(", "));
    private static final String MAX_AGE = "600"; // Starlette's default: browsers keep a preflight's answer 10 minutes

    private final Set<String> origins;
    private final boolean anyOrigin;
    private final Pattern regex;

    public Cors(Settings settings) {
        this.origins = Set.copyOf(settings.allowOrigins());
        this.anyOrigin = origins.contains("*");
        this.regex = settings.allowOriginsRegex() == null ? null : Pattern.compile(settings.allowOriginsRegex());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String origin = request.getHeader("Origin");
        if (origin == null || origins.isEmpty() && regex == null) {
            chain.doFilter(request, response);
            return;
        }
        if ("OPTIONS".equals(request.getMethod()) && request.getHeader("Access-Control-Request-Method") != null) {
            preflight(request, response, origin);
            return; // answered here, like Starlette: no controller, no authentication
        }
        if (allowed(origin)) {
            // Starlette answers "*" when any origin is allowed, unless the browser sent cookies (then "*" would not do)
            boolean star = anyOrigin && request.getHeader("Cookie") == null;
            response.setHeader("Access-Control-Allow-Origin", star ? "*" : origin);
            response.setHeader("Access-Control-Allow-Credentials", "true");
            if (!star) {
                response.addHeader("Vary", "Origin");
            }
        }
        chain.doFilter(request, response);
    }

    private void preflight(HttpServletRequest request, HttpServletResponse response, String origin) throws IOException {
        List<String> failures = new ArrayList<>();
        if (!allowed(origin)) {
            failures.add("origin");
        }
        if (!METHODS.contains(request.getHeader("Access-Control-Request-Method"))) {
            failures.add("method");
        }
        response.addHeader("Vary", "Origin");
        if (!failures.isEmpty()) {
            // Starlette's words; unlike Starlette, no Allow-* header at all on a refusal (it would allow nothing)
            plain(response, 400, "Disallowed CORS " + String.join(", ", failures));
            return;
        }
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.setHeader("Access-Control-Allow-Methods", ALL_METHODS);
        response.setHeader("Access-Control-Max-Age", MAX_AGE);
        String headers = request.getHeader("Access-Control-Request-Headers");
        if (headers != null) {
            response.setHeader("Access-Control-Allow-Headers", headers); // allow_headers=["*"]: whatever is asked
        }
        response.setHeader("Access-Control-Allow-Credentials", "true");
        // Private Network Access: a public site's page calling a gateway on a LAN or on localhost asks this first
        if ("true".equalsIgnoreCase(request.getHeader("Access-Control-Request-Private-Network"))) {
            response.setHeader("Access-Control-Allow-Private-Network", "true");
        }
        plain(response, 200, "OK");
    }

    private boolean allowed(String origin) {
        return anyOrigin || origins.contains(origin) || regex != null && regex.matcher(origin).matches();
    }

    private static void plain(HttpServletResponse response, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
