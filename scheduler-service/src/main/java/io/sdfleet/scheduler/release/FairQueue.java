package io.sdfleet.scheduler.release;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.request.PixelSteps;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * Jobs waiting for release, one queue per user. Each release serves the user with the <em>least recent usage</em>:
 * the pixel-steps ({@link PixelSteps}) of the jobs released for them, decaying exponentially with a half-life (so
 * "recently" is a smooth window: usage from one half-life ago counts half, from ten half-lives ago about 0.1%). A
 * user who just arrived has no usage and is served at the next release, however many jobs others hold; users
 * with equal backlogs of equal jobs alternate; a user asking for 4× the pixels per job gets a quarter of the jobs.
 * Exponential decay rather than a hard window: there is no cliff where a heavy user's usage suddenly vanishes, and
 * it needs one number per user. Ties go to the user who has waited longest since their last release.
 *
 * <p>Within a user's queue jobs go by priority (higher first), then by age (first added first).
 */
public final class FairQueue {

    /** A job, with the trace id of its request (may be null) and when the gateway accepted that request (may be null). */
    public record Pending(JobMessage job, String trace, Instant acceptedAt) {

        public Pending(JobMessage job) {
            this(job, null, null);
        }
    }

    /** A user charged for a release: their usage now, and their place in the order of releases (for ties). */
    public record Charge(String user, double pixelSteps, long lastServed) {
    }

    private record Entry(Pending pending, long sequence) {
    }

    private static final Comparator<Entry> ORDER = Comparator
            .comparingInt((Entry e) -> -e.pending().job().priority())
            .thenComparingLong(Entry::sequence);

    /** Decayed usage of a user as of {@code atNanos}, and when they were last served (for ties). */
    private static final class Usage {
        double pixelSteps;
        long atNanos;
        long lastServed = Long.MIN_VALUE;
    }

    private final Map<String, PriorityQueue<Entry>> byUser = new LinkedHashMap<>();
    private final Map<String, Usage> usage = new HashMap<>();
    private final double halfLifeNanos;
    private final LongSupplier clock;
    private long sequence;
    private long releases;

    /** Usage halving every {@code halfLifeSeconds}, on the system's monotonic clock. */
    public FairQueue(double halfLifeSeconds) {
        this(halfLifeSeconds, System::nanoTime);
    }

    /** With a clock in nanoseconds (tests). */
    public FairQueue(double halfLifeSeconds, LongSupplier clockNanos) {
        if (!(halfLifeSeconds > 0)) {
            throw new IllegalArgumentException("half-life must be positive");
        }
        this.halfLifeNanos = halfLifeSeconds * 1e9;
        this.clock = clockNanos;
    }

    public synchronized void add(String user, Pending pending) {
        byUser.computeIfAbsent(user, u -> new PriorityQueue<>(ORDER)).add(new Entry(pending, sequence++));
    }

    /** The next job: the best job of the waiting user with the least decayed usage; that user is charged for it. */
    public synchronized Optional<Pending> next() {
        long now = clock.getAsLong();
        String chosen = null;
        double least = Double.POSITIVE_INFINITY;
        long chosenServed = Long.MAX_VALUE;
        for (String user : byUser.keySet()) {
            Usage u = usage.get(user);
            double used = u == null ? 0 : decayed(u, now);
            long served = u == null ? Long.MIN_VALUE : u.lastServed;
            if (used < least || (used == least && served < chosenServed)) {
                chosen = user;
                least = used;
                chosenServed = served;
            }
        }
        if (chosen == null) {
            return Optional.empty();
        }
        PriorityQueue<Entry> queue = byUser.get(chosen);
        Entry entry = queue.poll();
        if (queue.isEmpty()) {
            byUser.remove(chosen);
        }
        Usage u = usage.computeIfAbsent(chosen, k -> new Usage());
        u.pixelSteps = decayed(u, now) + PixelSteps.of(entry.pending().job().parameters());
        u.atNanos = now;
        u.lastServed = releases++;
        return Optional.of(entry.pending());
    }

    /** Drops the waiting jobs of a cancelled request (nobody wants them); returns them. */
    public synchronized List<Pending> cancel(String requestId) {
        List<Pending> dropped = new ArrayList<>();
        for (var it = byUser.values().iterator(); it.hasNext(); ) {
            PriorityQueue<Entry> queue = it.next();
            queue.removeIf(e -> {
                boolean match = e.pending().job().requestId().equals(requestId);
                if (match) {
                    dropped.add(e.pending());
                }
                return match;
            });
            if (queue.isEmpty()) {
                it.remove();
            }
        }
        return dropped;
    }

    /** What the last {@link #next} charged {@code user}, to be written down with the release. */
    public synchronized Charge chargeOf(String user) {
        Usage u = usage.get(user);
        return u == null ? new Charge(user, 0, -1) : new Charge(user, u.pixelSteps, u.lastServed);
    }

    /**
     * Restores a user's usage, as written {@code ageNanos} ago, and their place in the order of releases (a
     * scheduler becoming active rebuilds its view, users in the order they were served).
     */
    public synchronized void restoreUsage(String user, double pixelSteps, long ageNanos, long lastServed) {
        Usage u = usage.computeIfAbsent(user, k -> new Usage());
        u.atNanos = clock.getAsLong();
        u.pixelSteps = pixelSteps * Math.pow(0.5, Math.max(0, ageNanos) / halfLifeNanos);
        u.lastServed = lastServed;
        releases = Math.max(releases, lastServed + 1);
    }

    /** Forgets every job and all usage (this scheduler is no longer the active one). */
    public synchronized void clear() {
        byUser.clear();
        usage.clear();
        releases = 0;
    }

    /** A user's pixel-steps served recently (decayed to now); 0 for a user never served. */
    public synchronized double usageOf(String user) {
        Usage u = usage.get(user);
        return u == null ? 0 : decayed(u, clock.getAsLong());
    }

    /** Jobs waiting for a user. */
    public synchronized int sizeOf(String user) {
        PriorityQueue<Entry> queue = byUser.get(user);
        return queue == null ? 0 : queue.size();
    }

    /** Users with at least one job held here. */
    public synchronized int users() {
        return (int) byUser.values().stream().filter(q -> !q.isEmpty()).count();
    }

    public synchronized int size() {
        return byUser.values().stream().mapToInt(PriorityQueue::size).sum();
    }

    private double decayed(Usage u, long now) {
        return u.pixelSteps * Math.pow(0.5, (now - u.atNanos) / halfLifeNanos);
    }
}
