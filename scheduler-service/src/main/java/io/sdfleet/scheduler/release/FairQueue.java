package io.sdfleet.scheduler.release;

import io.sdfleet.contracts.JobMessage;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Jobs waiting for release, one FIFO per user, served in turns: each release takes the next job of the next user
 * in the rotation, so a user with 100 queued images does not hold back another user's single image.
 */
public final class FairQueue {

    /**
     * A job and what to do once it is on the jobs queue (e.g. acknowledge its request after its last job), with the
     * trace id of its request (may be null) and when the gateway accepted that request (may be null).
     */
    public record Pending(JobMessage job, Runnable afterRelease, String trace, java.time.Instant acceptedAt) {

        public Pending(JobMessage job, Runnable afterRelease) {
            this(job, afterRelease, null, null);
        }
    }

    private final LinkedHashMap<String, Deque<Pending>> byUser = new LinkedHashMap<>();

    public synchronized void add(String user, Pending pending) {
        byUser.computeIfAbsent(user, u -> new ArrayDeque<>()).addLast(pending);
    }

    /** The next job in turn; its user moves to the back of the rotation. */
    public synchronized Optional<Pending> next() {
        Iterator<Map.Entry<String, Deque<Pending>>> it = byUser.entrySet().iterator();
        if (!it.hasNext()) {
            return Optional.empty();
        }
        Map.Entry<String, Deque<Pending>> first = it.next();
        Pending pending = first.getValue().pollFirst();
        it.remove();
        if (!first.getValue().isEmpty()) {
            byUser.put(first.getKey(), first.getValue()); // re-inserting puts the user last
        }
        return Optional.ofNullable(pending);
    }

    /** Users with at least one job held here. */
    public synchronized int users() {
        return (int) byUser.values().stream().filter(q -> !q.isEmpty()).count();
    }

    public synchronized int size() {
        return byUser.values().stream().mapToInt(Deque::size).sum();
    }
}
