package io.sdfleet.gateway.auth;

import io.sdfleet.gateway.a1111.FieldProblem;
import io.sdfleet.gateway.a1111.InvalidRequestException;
import io.sdfleet.gateway.api.Callers;
import io.sdfleet.gateway.api.ForbiddenException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Admins create users (with optional A1111-style password and their own limits), hand out API keys — shown once,
 * stored only as a hash — list and revoke them. Everyone else gets 403.
 */
@RestController
@RequestMapping("/api/v1/admin")
public class AdminController {

    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Users users;
    private final AuthProperties properties;

    public AdminController(Users users, AuthProperties properties) {
        this.users = users;
        this.properties = properties;
    }

    @PostMapping("/users")
    public ResponseEntity<Map<String, Object>> createUser(@RequestBody JsonNode body, HttpServletRequest http) {
        requireAdmin(http);
        String name = body.path("name").asString("");
        if (!USER_NAME.matcher(name).matches()) {
            throw new InvalidRequestException(List.of(new FieldProblem("name",
                    "1 to 64 letters, digits, '.', '_' or '-'")), false);
        }
        String password = body.path("password").isString() ? body.path("password").asString() : null;
        if (password != null && password.length() < 8) {
            throw new InvalidRequestException(List.of(new FieldProblem("password", "at least 8 characters")), false);
        }
        int concurrent = positive(body, "max_concurrent_jobs", properties.defaultMaxConcurrentJobs());
        int perDay = positive(body, "max_images_per_day", properties.defaultMaxImagesPerDay());
        Users.User user = new Users.User(name, body.path("admin").asBoolean(false), concurrent, perDay);
        if (!users.create(user, password == null ? null : Secrets.hashPassword(password))) {
            throw new InvalidRequestException(List.of(new FieldProblem("name", "already exists")), false);
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(describe(user));
    }

    @GetMapping("/users")
    public List<Map<String, Object>> listUsers(HttpServletRequest http) {
        requireAdmin(http);
        return users.all().stream().map(AdminController::describe).toList();
    }

    @PostMapping("/users/{name}/keys")
    public ResponseEntity<Map<String, Object>> createKey(@PathVariable String name,
                                                         @RequestBody(required = false) JsonNode body,
                                                         HttpServletRequest http) {
        requireAdmin(http);
        if (users.find(name).isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        String key = Secrets.newApiKey();
        String label = body == null ? "" : body.path("label").asString("");
        long id = users.addKey(name, Secrets.hashApiKey(key), label);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("user", name);
        out.put("label", label);
        out.put("key", key); // the only time the key is ever shown
        return ResponseEntity.status(HttpStatus.CREATED).body(out);
    }

    @GetMapping("/users/{name}/keys")
    public List<Users.KeyInfo> keys(@PathVariable String name, HttpServletRequest http) {
        requireAdmin(http);
        return users.keysOf(name);
    }

    @DeleteMapping("/keys/{id}")
    public ResponseEntity<Void> revoke(@PathVariable long id, HttpServletRequest http) {
        requireAdmin(http);
        return users.revokeKey(id) ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
    }

    private void requireAdmin(HttpServletRequest http) {
        Caller caller = Callers.caller(http);
        if (!properties.enabled()) {
            throw new ForbiddenException("user administration needs authentication turned on (sdfleet.gateway.auth.enabled)");
        }
        if (!caller.admin()) {
            throw new ForbiddenException(caller.name() + " is not an admin");
        }
    }

    private static int positive(JsonNode body, String field, int fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || v.asInt() < 1) {
            throw new InvalidRequestException(List.of(new FieldProblem(field, "must be a positive integer")), false);
        }
        return v.asInt();
    }

    private static Map<String, Object> describe(Users.User u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", u.name());
        out.put("admin", u.admin());
        out.put("max_concurrent_jobs", u.maxConcurrentJobs());
        out.put("max_images_per_day", u.maxImagesPerDay());
        return out;
    }
}
