package io.sdfleet.gateway.auth;

import io.sdfleet.internal.RoutedPath;
import jakarta.servlet.http.HttpServletRequest;

import java.util.Set;

/**
 * Who may make a request, decided on the path as the server routes it. Tomcat decodes {@code %XX}, drops
 * {@code ;params} and resolves {@code //}, {@code .} and {@code ..} before Spring matches a controller, so a test on
 * the raw URI let {@code /%73dapi/v1/memory} and {@code /sdapi;x=1/v1/options} through. Here everything needs
 * credentials except an exact list, and a request is only public when its raw path is spelled exactly as its routed
 * path: no spelling of a protected path can look public.
 */
final class RequestAccess {

    /** Who may make a request. */
    public enum Level {
        /** The web page's static files, its {@code /ui/config}, and the health probes (Kubernetes sends no key). */
        PUBLIC,
        /** Meters and API docs: an admin, the fleet's internal credential, or anyone when configured public. */
        OPERATIONS,
        /** Everything else: any authenticated user. */
        USER
    }

    private static final Set<String> PUBLIC_PATHS = Set.of("/", "/index.html", "/favicon.ico", "/ui/config",
            "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness");
    private static final Set<String> PUBLIC_FOLDERS = Set.of("/css/", "/js/");

    private RequestAccess() {
    }

    public static Level of(HttpServletRequest request) {
        String routed = RoutedPath.of(request);
        if (RoutedPath.spelledAsRouted(request) && isPublic(routed)) {
            return Level.PUBLIC;
        }
        if (routed.startsWith("/actuator/") || routed.equals("/actuator") || routed.startsWith("/v3/api-docs")
                || routed.startsWith("/swagger-ui")) {
            return Level.OPERATIONS;
        }
        return Level.USER;
    }

    private static boolean isPublic(String path) {
        if (PUBLIC_PATHS.contains(path)) {
            return true;
        }
        for (String folder : PUBLIC_FOLDERS) {
            if (path.startsWith(folder) && path.length() > folder.length()
                    && path.indexOf('/', folder.length()) < 0) { // a file directly in it, as the page has
                return true;
            }
        }
        return false;
    }
}
