package io.sdfleet.gateway.a1111;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** The settings each user saved through A1111's {@code POST /sdapi/v1/options}, kept in PostgreSQL. */
@Component
public class UserOptions {

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public UserOptions(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The user's saved settings (empty when they saved none). */
    public Map<String, JsonNode> of(String user) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        jdbc.query("SELECT options::text FROM user_options WHERE user_name = ?", rs -> {
            JsonNode saved = json.readTree(rs.getString(1));
            saved.propertyNames().forEach(key -> out.put(key, saved.get(key)));
        }, user);
        return out;
    }

    /** Sets these keys for the user, keeping the others (one statement: concurrent saves do not lose keys). */
    public void save(String user, Map<String, JsonNode> changes) {
        ObjectNode patch = json.createObjectNode();
        changes.forEach(patch::set);
        jdbc.update("INSERT INTO user_options (user_name, options) VALUES (?, ?::jsonb) ON CONFLICT (user_name) DO UPDATE "
                + "SET options = user_options.options || EXCLUDED.options, updated_at = now()", user, patch.toString());
    }
}
