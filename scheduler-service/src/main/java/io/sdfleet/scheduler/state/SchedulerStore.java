package io.sdfleet.scheduler.state;

import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobMessage;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The rows of the scheduler's state (migration {@code db/scheduler}), each write made through the active scheduler's
 * {@link FencedConnection}. Callers wrap what must happen together (a row update and the publish it records) in
 * one {@link FencedConnection#inTransaction}; every method here joins the caller's transaction or opens its own.
 */
@Component
public class SchedulerStore {

    private static final String UNFINISHED = "('pending', 'released', 'running')";

    /** A job waiting for its turn, with its request's trace id and acceptance time (either may be null). */
    public record PendingJob(JobMessage job, String trace, Instant acceptedAt) {
    }

    /** A released job not over yet: which attempt, where it waits or who runs it. */
    public record Lease(JobMessage job, int attempt, String queuedFor, String workerId, Instant releasedAt,
                        Instant startedAt) {
    }

    /** A user's fair-share usage as last written, and its place in the order of releases. */
    public record Usage(String user, double pixelSteps, Instant at, long lastServed) {
    }

    private final FencedConnection connection;
    private final JsonMapper json;

    public SchedulerStore(FencedConnection connection, JsonMapper json) {
        this.connection = connection;
        this.json = json;
    }

    /**
     * Records a request and its jobs, all pending; false (and nothing written) when the request was planned before:
     * a redelivered or republished request is not planned twice.
     */
    public boolean plan(GenerationRequested request, List<JobMessage> jobs, String trace) {
        return connection.inTransaction(() -> {
            int inserted = connection.jdbc().update("INSERT INTO requests (request_id, user_name, accepted_at, trace) "
                            + "VALUES (?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING",
                    request.requestId(), request.user(), timestamp(request.acceptedAt()), trace);
            if (inserted == 0) {
                return false;
            }
            connection.jdbc().batchUpdate("INSERT INTO jobs (job_id, request_id, user_name, job) VALUES (?, ?, ?, ?)",
                    jobs.stream().map(j -> new Object[] {j.jobId(), j.requestId(), j.user(), json.writeValueAsString(j)})
                            .toList());
            return true;
        });
    }

    /** Pending jobs, oldest first. */
    public List<PendingJob> pending() {
        return connection.inTransaction(() -> connection.jdbc().query(
                "SELECT j.job, r.trace, r.accepted_at FROM jobs j JOIN requests r USING (request_id) "
                        + "WHERE j.state = 'pending' ORDER BY j.seq",
                (rs, n) -> new PendingJob(job(rs), rs.getString("trace"), instant(rs, "accepted_at"))));
    }

    /** Released jobs not over yet, oldest first. */
    public List<Lease> leases() {
        return connection.inTransaction(() -> connection.jdbc().query(
                "SELECT job, attempt, queued_for, worker_id, released_at, started_at FROM jobs "
                        + "WHERE state IN ('released', 'running') ORDER BY seq",
                (rs, n) -> new Lease(job(rs), rs.getInt("attempt"), rs.getString("queued_for"),
                        rs.getString("worker_id"), instant(rs, "released_at"), instant(rs, "started_at"))));
    }

    /**
     * The job (now) put on {@code queuedFor}'s own queue (null: the shared queue) as {@code attempt}; a job over
     * already stays over.
     */
    public void released(String jobId, int attempt, String queuedFor, Instant at) {
        connection.inTransaction(() -> connection.jdbc().update("UPDATE jobs SET state = 'released', attempt = ?, "
                        + "queued_for = ?, worker_id = NULL, released_at = ?, started_at = NULL "
                        + "WHERE job_id = ? AND state IN " + UNFINISHED,
                attempt, queuedFor, timestamp(at), jobId));
    }

    /** A worker was seen taking the job. */
    public void running(String jobId, String workerId, Instant startedAt) {
        connection.inTransaction(() -> connection.jdbc().update("UPDATE jobs SET state = 'running', worker_id = ?, "
                        + "started_at = ?, queued_for = NULL WHERE job_id = ? AND state IN ('released', 'running')",
                workerId, timestamp(startedAt), jobId));
    }

    /** What waited on {@code workerId}'s own queue now waits on the shared one. */
    public void movedToShared(String workerId) {
        connection.inTransaction(() -> connection.jdbc().update(
                "UPDATE jobs SET queued_for = NULL WHERE queued_for = ? AND state = 'released'", workerId));
    }

    /** The job finished: its images are stored. */
    public void done(String jobId) {
        end(jobId, "done", null);
    }

    /** The job was dropped on request (A1111's skip): over, without images. */
    public void skipped(String jobId) {
        end(jobId, "skipped", null);
    }

    /** How each job of a request stands; {@code state} one of the jobs table's states. */
    public record Outcome(JobMessage job, String state, String reason, int attempt) {

        public boolean over() {
            return !UNFINISHED.contains("'" + state + "'");
        }
    }

    /** Every job of the request, in order; empty when this scheduler never planned it (or pruned it). */
    public List<Outcome> outcomes(String requestId) {
        return connection.inTransaction(() -> connection.jdbc().query(
                "SELECT job, state, reason, attempt FROM jobs WHERE request_id = ? ORDER BY seq",
                (rs, n) -> new Outcome(job(rs), rs.getString("state"), rs.getString("reason"), rs.getInt("attempt")),
                requestId));
    }

    /** The job failed for good. */
    public void failed(String jobId, String reason) {
        end(jobId, "failed", reason);
    }

    /** The request was cancelled: its jobs not over yet are. */
    public void cancelled(String requestId) {
        connection.inTransaction(() -> connection.jdbc().update(
                "UPDATE jobs SET state = 'cancelled' WHERE request_id = ? AND state IN " + UNFINISHED, requestId));
    }

    /**
     * Counts attempt {@code attempt} of the job as lost with its worker, once: empty when that attempt was counted
     * already or the job has moved past it (another copy was released, or the job is over); else the job's lost
     * attempts so far.
     */
    public Optional<Integer> lost(String jobId, int attempt) {
        return connection.inTransaction(() -> connection.jdbc().query(
                "UPDATE jobs SET lost_attempts = lost_attempts + 1, attempt = ? + 1 "
                        + "WHERE job_id = ? AND attempt <= ? AND state IN ('released', 'running') RETURNING lost_attempts",
                (rs, n) -> rs.getInt(1), attempt, jobId, attempt).stream().findFirst());
    }

    public void usage(String user, double pixelSteps, Instant at, long lastServed) {
        connection.inTransaction(() -> connection.jdbc().update("INSERT INTO usage (user_name, pixel_steps, at, last_served) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT (user_name) DO UPDATE SET pixel_steps = excluded.pixel_steps, "
                        + "at = excluded.at, last_served = excluded.last_served",
                user, pixelSteps, timestamp(at), lastServed));
    }

    /** Every user's usage, in the order they were last served. */
    public List<Usage> usage() {
        return connection.inTransaction(() -> connection.jdbc().query(
                "SELECT user_name, pixel_steps, at, last_served FROM usage ORDER BY last_served",
                (rs, n) -> new Usage(rs.getString(1), rs.getDouble(2), instant(rs, "at"), rs.getLong(4))));
    }

    public void drained(String workerId, String reason, Instant at) {
        connection.inTransaction(() -> connection.jdbc().update("INSERT INTO drained_workers (worker_id, reason, drained_at) "
                + "VALUES (?, ?, ?) ON CONFLICT (worker_id) DO NOTHING", workerId, reason, timestamp(at)));
    }

    /** A drained worker came back as a fresh process, or has gone for good. */
    public void undrained(String workerId) {
        connection.inTransaction(() -> connection.jdbc().update("DELETE FROM drained_workers WHERE worker_id = ?", workerId));
    }

    /** A worker fault counted at {@code at}; rows before {@code forgetBefore} no longer count and go. */
    public void faultCounted(String workerId, Instant at, Instant forgetBefore) {
        connection.inTransaction(() -> {
            connection.jdbc().update("DELETE FROM worker_faults WHERE at < ?", timestamp(forgetBefore));
            return connection.jdbc().update("INSERT INTO worker_faults (worker_id, at) VALUES (?, ?) "
                    + "ON CONFLICT DO NOTHING", workerId, timestamp(at));
        });
    }

    public void faultWithdrawn(String workerId, Instant at) {
        connection.inTransaction(() -> connection.jdbc().update("DELETE FROM worker_faults WHERE worker_id = ? AND at = ?",
                workerId, timestamp(at)));
    }

    public void faultsCleared(String workerId) {
        connection.inTransaction(() -> connection.jdbc().update("DELETE FROM worker_faults WHERE worker_id = ?", workerId));
    }

    /** The worker faults counted, oldest first. */
    public List<WorkerFault> workerFaults() {
        return connection.inTransaction(() -> connection.jdbc().query("SELECT worker_id, at FROM worker_faults ORDER BY at",
                (rs, n) -> new WorkerFault(rs.getString(1), instant(rs, "at"))));
    }

    public record WorkerFault(String workerId, Instant at) {
    }

    /** Drained workers and when they were drained. */
    public List<DrainedWorker> drainedWorkers() {
        return connection.inTransaction(() -> connection.jdbc().query("SELECT worker_id, drained_at FROM drained_workers",
                (rs, n) -> new DrainedWorker(rs.getString(1), instant(rs, "drained_at"))));
    }

    public record DrainedWorker(String workerId, Instant drainedAt) {
    }

    /**
     * Forgets requests planned before {@code cutoff} whose jobs are all over (their ids need no longer stop a
     * republished copy). Returns how many.
     */
    public int prune(Instant cutoff) {
        return connection.inTransaction(() -> connection.jdbc().update("DELETE FROM requests r WHERE planned_at < ? "
                + "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.request_id = r.request_id AND j.state IN " + UNFINISHED
                + ")", timestamp(cutoff)));
    }

    private void end(String jobId, String state, String reason) {
        connection.inTransaction(() -> connection.jdbc().update(
                "UPDATE jobs SET state = ?, reason = ? WHERE job_id = ? AND state IN " + UNFINISHED, state, reason, jobId));
    }

    private JobMessage job(ResultSet rs) throws SQLException {
        return json.readValue(rs.getString("job"), JobMessage.class);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Timestamp timestamp(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }
}
