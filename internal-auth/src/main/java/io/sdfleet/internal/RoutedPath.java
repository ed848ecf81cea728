package io.sdfleet.internal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The path within the application as the server routes it: Tomcat decodes {@code %XX}, drops {@code ;params} and
 * resolves {@code //}, {@code .} and {@code ..} before a controller is matched. Access decisions use this path, and
 * treat a path as one of a short public list only when the raw request spells it exactly so.
 */
public final class RoutedPath {

    private RoutedPath() {
    }

    /** The decoded, normalised path Spring MVC dispatches on. */
    public static String of(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
        return path.isEmpty() ? "/" : path;
    }

    /** Whether the raw request path is spelled exactly as its routed one (no encoding, params or dot segments). */
    public static boolean spelledAsRouted(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length()).equals(of(request));
    }
}
