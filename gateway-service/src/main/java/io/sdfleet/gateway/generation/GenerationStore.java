package io.sdfleet.gateway.generation;

import io.sdfleet.request.GenerationParameters;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Array;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accepted requests in PostgreSQL (schema {@code gateway}), the one account of them every gateway replica shares.
 * A row is written before its request is queued; after that it changes only through the statements here, each of
 * which moves a generation forward and never back (images are added to the set stored, a skipped job counts once,
 * only a generation still queued or running can end), so replicas recording the same event, a redelivered event or
 * an event that arrives after the generation ended leave it as one recording would.
 */
@Repository
public class GenerationStore {

    private static final String COLUMNS = "id, user_name, parameters, accepted_at, state, images_done, images_skipped, "
            + "stored_indexes, error, priority";
    private static final String ACTIVE = "state IN ('QUEUED', 'RUNNING')";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final JsonMapper json;

    public GenerationStore(JdbcTemplate jdbc, TransactionTemplate transactions, JsonMapper json) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
    }

    /**
     * Inserts a request not yet published, after {@code admission} accepted it, in one transaction holding its user's
     * lock: two replicas admitting the same user's requests at once count each other's (the concurrent-jobs limit).
     */
    void insert(Generation g, int priority, Admission admission) {
        transactions.executeWithoutResult(status -> {
            jdbc.query("SELECT pg_advisory_xact_lock(hashtext(?))", rs -> { }, "gateway.user:" + g.user());
            LocalDate quotaDay = admission.admit();
            jdbc.update("INSERT INTO generations (id, user_name, parameters, accepted_at, state, image_count, batch_size, "
                            + "priority, published, quota_day) VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?, FALSE, ?)",
                    g.id(), g.user(), json.writeValueAsString(g.parameters()), Timestamp.from(g.acceptedAt()),
                    g.state().name(), g.parameters().imageCount(), g.parameters().batch().size(), priority,
                    quotaDay == null ? null : Date.valueOf(quotaDay));
        });
    }

    /** The broker confirmed the request: from here the scheduler owns it. */
    void published(String id) {
        jdbc.update("UPDATE generations SET published = TRUE WHERE id = ?", id);
    }

    /** A request the broker refused: the row goes, and the images it reserved go back to the user's day. */
    void withdraw(String id) {
        transactions.executeWithoutResult(status -> {
            giveBackUnmadeImages(id);
            jdbc.update("DELETE FROM generations WHERE id = ?", id);
        });
    }

    /** Requests inserted more than {@code age} ago whose publishing nobody saw confirmed (their gateway died). */
    List<Unpublished> unpublished(Duration age) {
        return jdbc.query("SELECT " + COLUMNS + " FROM generations WHERE NOT published AND accepted_at < ? AND " + ACTIVE,
                (rs, i) -> new Unpublished(mapper().mapRow(rs, i), rs.getInt(10)),
                Timestamp.from(Instant.now().minus(age)));
    }

    /**
     * Published requests still queued or running whose row nothing changed for {@code age}, each marked as looked
     * at now (so the next look is {@code age} later): the sweeper asks the scheduler about them again.
     */
    List<Unpublished> stale(Duration age) {
        return jdbc.query("UPDATE generations SET updated_at = now() WHERE published AND " + ACTIVE
                        + " AND updated_at < ? RETURNING " + COLUMNS,
                (rs, i) -> new Unpublished(mapper().mapRow(rs, i), rs.getInt(10)),
                Timestamp.from(Instant.now().minus(age)));
    }

    /** A request with its priority, as the sweeper publishes it again. */
    record Unpublished(Generation.Snapshot generation, int priority) {
    }

    /** A worker took one of its jobs. */
    void running(String id) {
        jdbc.update("UPDATE generations SET state = 'RUNNING', updated_at = now() WHERE id = ? AND state = 'QUEUED'", id);
    }

    /** Images stored for the request (each index counted once); it finishes when all are stored or skipped. */
    void imagesStored(String id, List<Integer> indexes) {
        transactions.executeWithoutResult(status -> {
            jdbc.update(connection -> {
                var ps = connection.prepareStatement("UPDATE generations g SET stored_indexes = n.indexes, "
                        + "images_done = cardinality(n.indexes), state = 'RUNNING', updated_at = now() "
                        + "FROM (SELECT ARRAY(SELECT DISTINCT i FROM unnest(stored_indexes || ?) AS i ORDER BY i) AS indexes "
                        + "FROM generations WHERE id = ?) n WHERE g.id = ? AND g." + ACTIVE);
                ps.setArray(1, connection.createArrayOf("integer", indexes.toArray()));
                ps.setString(2, id);
                ps.setString(3, id);
                return ps;
            });
            finishIfComplete(id);
        });
    }

    /** A job dropped on request (A1111's skip): its images will not exist; counted once however often reported. */
    void jobSkipped(String id, String jobId, int images) {
        transactions.executeWithoutResult(status -> {
            jdbc.update("UPDATE generations SET images_skipped = images_skipped + ?, skipped_jobs = skipped_jobs || ?, "
                    + "updated_at = now() WHERE id = ? AND " + ACTIVE + " AND NOT (? = ANY(skipped_jobs))",
                    images, jobId, id, jobId);
            finishIfComplete(id);
        });
    }

    /** A job failed for good: the request fails with the reason. @return true when this call ended it */
    boolean failed(String id, String reason) {
        return end(id, "FAILED", reason);
    }

    /** The caller gave up on the request. @return true when this call ended it */
    boolean cancelled(String id) {
        return end(id, "CANCELLED", null);
    }

    private void finishIfComplete(String id) {
        end(id, "FINISHED", null, "images_done + images_skipped >= image_count");
    }

    private boolean end(String id, String state, String error) {
        return end(id, state, error, "TRUE");
    }

    /**
     * Ends a generation still queued or running for which {@code condition} (SQL over its row) holds, giving the
     * images it did not make back to the quota day they were counted on; in one transaction with the row locked,
     * so it happens once however many replicas try. @return true when this call ended it
     */
    private boolean end(String id, String state, String error, String condition) {
        Boolean ended = transactions.execute(status -> {
            List<Boolean> due = jdbc.queryForList("SELECT " + ACTIVE + " AND " + condition
                    + " FROM generations WHERE id = ? FOR UPDATE", Boolean.class, id);
            if (due.isEmpty() || !due.getFirst()) {
                return false;
            }
            giveBackUnmadeImages(id);
            jdbc.update("UPDATE generations SET state = ?, error = ?, updated_at = now() WHERE id = ?", state, error, id);
            return true;
        });
        return Boolean.TRUE.equals(ended);
    }

    /**
     * The images a generation will not make go back to the user's count for the day they were counted on (the
     * {@code daily_usage} table of {@code auth.Users}); called only by the transaction that ends or withdraws it.
     */
    private void giveBackUnmadeImages(String id) {
        jdbc.update("UPDATE daily_usage u SET images = GREATEST(u.images - (g.image_count - g.images_done), 0) "
                + "FROM generations g WHERE g.id = ? AND g.quota_day IS NOT NULL "
                + "AND u.user_name = g.user_name AND u.day = g.quota_day", id);
    }

    /** Requests of every user still queued or running. */
    List<Generation.Snapshot> active() {
        return jdbc.query("SELECT " + COLUMNS + " FROM generations WHERE " + ACTIVE, mapper());
    }

    /** Batches (jobs) the user has queued or running on any replica, for the concurrent-jobs limit. */
    public int activeJobsOf(String user) {
        Integer n = jdbc.queryForObject("SELECT COALESCE(sum(ceil(GREATEST(image_count - images_done - images_skipped, 0)"
                + "::numeric / batch_size)), 0)::int FROM generations WHERE user_name = ? AND " + ACTIVE, Integer.class, user);
        return n == null ? 0 : n;
    }

    /** The user's most recent request still queued or running, whichever replica accepted it. */
    Optional<String> currentOf(String user) {
        return jdbc.queryForList("SELECT id FROM generations WHERE user_name = ? AND " + ACTIVE
                + " ORDER BY accepted_at DESC LIMIT 1", String.class, user).stream().findFirst();
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
        Long n = jdbc.queryForObject("SELECT count(*) FROM generations WHERE " + ACTIVE + " AND accepted_at < ?",
                Long.class, Timestamp.from(acceptedAt));
        return n == null ? 0 : n;
    }

    Optional<Generation.Snapshot> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM generations WHERE id = ?", mapper(), id).stream().findFirst();
    }

    /** The rows of these requests, for replicas bringing what they hold in memory up to date. */
    List<Generation.Snapshot> findAll(List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.query(connection -> {
            var ps = connection.prepareStatement("SELECT " + COLUMNS + " FROM generations WHERE id = ANY(?)");
            ps.setArray(1, connection.createArrayOf("text", ids.toArray()));
            return ps;
        }, mapper());
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
