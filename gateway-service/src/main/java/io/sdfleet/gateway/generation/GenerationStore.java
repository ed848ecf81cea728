package io.sdfleet.gateway.generation;

import io.sdfleet.request.GenerationParameters;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Array;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accepted requests in PostgreSQL (schema {@code gateway}): written before a request is queued and whenever its
 * state or image count changes, so a restarted gateway picks up where it left off.
 */
@Repository
public class GenerationStore {

    private static final String COLUMNS = "id, user_name, parameters, accepted_at, state, images_done, images_skipped, "
            + "stored_indexes, error";

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public GenerationStore(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(Generation g) {
        jdbc.update("INSERT INTO generations (id, user_name, parameters, accepted_at, state) VALUES (?, ?, ?::jsonb, ?, ?)",
                g.id(), g.user(), json.writeValueAsString(g.parameters()), Timestamp.from(g.acceptedAt()), g.state().name());
    }

    void delete(String id) {
        jdbc.update("DELETE FROM generations WHERE id = ?", id);
    }

    void save(Generation g) {
        Generation.Snapshot s = g.snapshot();
        jdbc.update(connection -> {
            var ps = connection.prepareStatement("UPDATE generations SET state = ?, images_done = ?, images_skipped = ?, "
                    + "stored_indexes = ?, error = ?, updated_at = now() WHERE id = ?");
            ps.setString(1, s.state().name());
            ps.setInt(2, s.imagesDone());
            ps.setInt(3, s.imagesSkipped());
            ps.setArray(4, connection.createArrayOf("integer", s.storedIndexes().toArray()));
            ps.setString(5, s.error());
            ps.setString(6, s.id());
            return ps;
        });
    }

    /** Requests still queued or running when the gateway stopped. */
    List<Generation.Snapshot> active() {
        return jdbc.query("SELECT " + COLUMNS + " FROM generations WHERE state IN ('QUEUED', 'RUNNING')", mapper());
    }

    /** A user's requests, newest first, accepted before {@code before} (null: now). */
    public List<Generation.Snapshot> ofUser(String user, Instant before, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM generations WHERE user_name = ? AND accepted_at < ? "
                + "ORDER BY accepted_at DESC LIMIT ?", mapper(), user,
                Timestamp.from(before == null ? Instant.now().plusSeconds(1) : before), limit);
    }

    /**
     * Requests of every user accepted before {@code acceptedAt} and still queued or running, across all gateways:
     * how far back in line a new request starts. (The scheduler's fair shares may let it overtake some.)
     */
    public long ahead(Instant acceptedAt) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM generations WHERE state IN ('QUEUED', 'RUNNING') "
                + "AND accepted_at < ?", Long.class, Timestamp.from(acceptedAt));
        return n == null ? 0 : n;
    }

    Optional<Generation.Snapshot> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM generations WHERE id = ?", mapper(), id).stream().findFirst();
    }

    private RowMapper<Generation.Snapshot> mapper() {
        return (rs, i) -> {
            List<Integer> stored = new ArrayList<>();
            Array array = rs.getArray(8);
            if (array != null) {
                for (Object o : (Object[]) array.getArray()) {
                    stored.add(((Number) o).intValue());
                }
            }
            return new Generation.Snapshot(rs.getString(1), rs.getString(2),
                    json.readValue(rs.getString(3), GenerationParameters.class), rs.getTimestamp(4).toInstant(),
                    Generation.State.valueOf(rs.getString(5)), rs.getInt(6), rs.getInt(7), stored, rs.getString(9));
        };
    }
}
