package io.sdfleet.gateway.auth;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Users, API keys and daily image counts in PostgreSQL (schema {@code gateway}). */
@Repository
public class Users {

    /** A user as listed to admins (no secrets). */
    public record User(String name, boolean admin, int maxConcurrentJobs, int maxImagesPerDay) {
    }

    /** An API key's listing: never the key itself. */
    public record KeyInfo(long id, String user, String label, String createdAt, String lastUsedAt, boolean revoked) {
    }

    private final JdbcTemplate jdbc;

    public Users(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** @return false when the name is taken */
    public boolean create(User user, String passwordHash) {
        try {
            jdbc.update("INSERT INTO users (name, admin, password_hash, max_concurrent_jobs, max_images_per_day) "
                    + "VALUES (?, ?, ?, ?, ?)", user.name(), user.admin(), passwordHash, user.maxConcurrentJobs(),
                    user.maxImagesPerDay());
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    public Optional<User> find(String name) {
        return jdbc.query("SELECT name, admin, max_concurrent_jobs, max_images_per_day FROM users WHERE name = ?",
                (rs, i) -> new User(rs.getString(1), rs.getBoolean(2), rs.getInt(3), rs.getInt(4)), name).stream().findFirst();
    }

    public List<User> all() {
        return jdbc.query("SELECT name, admin, max_concurrent_jobs, max_images_per_day FROM users ORDER BY name",
                (rs, i) -> new User(rs.getString(1), rs.getBoolean(2), rs.getInt(3), rs.getInt(4)));
    }

    public boolean anyAdmin() {
        Integer n = jdbc.queryForObject("SELECT count(*) FROM users WHERE admin", Integer.class);
        return n != null && n > 0;
    }

    public Optional<String> passwordHash(String name) {
        return jdbc.query("SELECT password_hash FROM users WHERE name = ?", (rs, i) -> rs.getString(1), name)
                .stream().filter(h -> h != null).findFirst();
    }

    public long addKey(String user, String keyHash, String label) {
        GeneratedKeyHolder holder = new GeneratedKeyHolder();
        jdbc.update(connection -> {
            PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO api_keys (user_name, key_hash, label) VALUES (?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
            ps.setString(1, user);
            ps.setString(2, keyHash);
            ps.setString(3, label == null ? "" : label);
            return ps;
        }, holder);
        Map<String, Object> keys = holder.getKeys();
        return ((Number) keys.get("id")).longValue();
    }

    /** The owner of a live (not revoked) key; its last use is stamped separately, in batches ({@link KeyUsage}). */
    public Optional<User> byKeyHash(String keyHash) {
        return jdbc.query("SELECT u.name, u.admin, u.max_concurrent_jobs, u.max_images_per_day FROM api_keys k "
                        + "JOIN users u ON u.name = k.user_name WHERE k.key_hash = ? AND NOT k.revoked",
                (rs, i) -> new User(rs.getString(1), rs.getBoolean(2), rs.getInt(3), rs.getInt(4)), keyHash)
                .stream().findFirst();
    }

    /** Records that a key was used at {@code at} (never moving the stamp back). */
    public void stampKeyUse(String keyHash, Instant at) {
        jdbc.update("UPDATE api_keys SET last_used_at = ? WHERE key_hash = ? "
                + "AND (last_used_at IS NULL OR last_used_at < ?)", Timestamp.from(at), keyHash,
                Timestamp.from(at));
    }

    public List<KeyInfo> keysOf(String user) {
        return jdbc.query("SELECT id, user_name, label, created_at, last_used_at, revoked FROM api_keys "
                + "WHERE user_name = ? ORDER BY id", (rs, i) -> new KeyInfo(rs.getLong(1), rs.getString(2),
                rs.getString(3), String.valueOf(rs.getTimestamp(4).toInstant()),
                rs.getTimestamp(5) == null ? null : String.valueOf(rs.getTimestamp(5).toInstant()), rs.getBoolean(6)), user);
    }

    /** @return false when no such key */
    public boolean revokeKey(long id) {
        return jdbc.update("UPDATE api_keys SET revoked = TRUE WHERE id = ?", id) > 0;
    }

    /**
     * Adds {@code images} to the user's count for {@code day} only if the total stays within {@code limit}: one
     * statement, so concurrent requests cannot both slip under the quota.
     *
     * @return true when counted, false when it would exceed the limit
     */
    public boolean reserveImages(String user, LocalDate day, int images, int limit) {
        if (images > limit) {
            return false;
        }
        int updated = jdbc.update("INSERT INTO daily_usage (user_name, day, images) VALUES (?, ?, ?) "
                + "ON CONFLICT (user_name, day) DO UPDATE SET images = daily_usage.images + EXCLUDED.images "
                + "WHERE daily_usage.images + EXCLUDED.images <= ?", user, day, images, limit);
        return updated > 0;
    }

    public int imagesOn(String user, LocalDate day) {
        return jdbc.query("SELECT images FROM daily_usage WHERE user_name = ? AND day = ?", (rs, i) -> rs.getInt(1),
                user, day).stream().findFirst().orElse(0);
    }
}
