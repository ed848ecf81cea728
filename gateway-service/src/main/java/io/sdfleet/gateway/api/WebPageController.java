package io.sdfleet.gateway.api;

import io.sdfleet.gateway.auth.AuthProperties;
import io.sdfleet.gateway.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the web page (static/index.html, served at {@code /}) asks before and after sign-in: whether this gateway
 * wants credentials at all ({@code /ui/config}, public: it says nothing but that), and who the credentials belong
 * to ({@code /api/v1/me}).
 */
@RestController
public class WebPageController {

    private final AuthProperties auth;

    public WebPageController(AuthProperties auth) {
        this.auth = auth;
    }

    @GetMapping("/ui/config")
    public Map<String, Object> config() {
        return Map.of("authentication", auth.enabled());
    }

    @GetMapping("/api/v1/me")
    public Map<String, Object> me(HttpServletRequest http) {
        Caller caller = Callers.caller(http);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", caller.name());
        out.put("admin", caller.admin());
        out.put("max_concurrent_jobs", caller.maxConcurrentJobs());
        out.put("max_images_per_day", caller.maxImagesPerDay());
        out.put("authentication", auth.enabled());
        return out;
    }
}
