package io.sdfleet.gateway.models;

import io.sdfleet.gateway.api.Callers;
import io.sdfleet.gateway.api.ForbiddenException;
import io.sdfleet.gateway.auth.AuthProperties;
import io.sdfleet.gateway.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The fleet's models over the public API. {@code POST /api/v1/models?kind=checkpoint&name=x.safetensors} with the
 * raw file as body (admins only; streamed through to storage-service, which hashes and registers it: 201 new,
 * 200 already there, 409 name taken, 400 bad kind or name); {@code GET /api/v1/models[?kind=]} lists them for
 * everyone; {@code DELETE /api/v1/models/{sha256}} (admins only).
 */
@RestController
@RequestMapping("/api/v1/models")
public class ModelsController {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final ModelRegistry registry;
    private final AuthProperties auth;

    public ModelsController(ModelRegistry registry, AuthProperties auth) {
        this.registry = registry;
        this.auth = auth;
    }

    @PostMapping
    public ResponseEntity<String> upload(@RequestParam String kind, @RequestParam String name,
                                         HttpServletRequest http) throws IOException, InterruptedException {
        Caller caller = requireAdmin(http);
        try (InputStream body = http.getInputStream()) {
            return relay(registry.upload(kind, name, body, http.getContentLengthLong(), caller.name()));
        }
    }

    @GetMapping
    public ResponseEntity<String> list(@RequestParam(required = false) String kind) throws IOException, InterruptedException {
        return relay(registry.call(HttpMethod.GET, kind == null ? "" : "?kind=" + URLEncoder.encode(kind, StandardCharsets.UTF_8)));
    }

    @GetMapping("/{sha256}")
    public ResponseEntity<String> get(@PathVariable String sha256) throws IOException, InterruptedException {
        if (!SHA256.matcher(sha256).matches()) {
            return ResponseEntity.notFound().build();
        }
        return relay(registry.call(HttpMethod.GET, "/" + sha256));
    }

    @DeleteMapping("/{sha256}")
    public ResponseEntity<String> delete(@PathVariable String sha256, HttpServletRequest http)
            throws IOException, InterruptedException {
        requireAdmin(http);
        if (!SHA256.matcher(sha256).matches()) {
            return ResponseEntity.notFound().build();
        }
        return relay(registry.call(HttpMethod.DELETE, "/" + sha256));
    }

    /**
     * The admin check: the caller the authentication filter left on the request ({@link Callers}) must be an
     * admin, and authentication must be on (with it off, anyone could claim any name).
     */
    private Caller requireAdmin(HttpServletRequest http) {
        Caller caller = Callers.caller(http);
        if (!auth.enabled()) {
            throw new ForbiddenException("uploading models needs authentication turned on (sdfleet.gateway.auth.enabled)");
        }
        if (!caller.admin()) {
            throw new ForbiddenException(caller.name() + " is not an admin");
        }
        return caller;
    }

    private static ResponseEntity<String> relay(StorageAnswer answer) {
        return ResponseEntity.status(answer.status()).header("Content-Type", answer.contentType()).body(answer.body());
    }
}
