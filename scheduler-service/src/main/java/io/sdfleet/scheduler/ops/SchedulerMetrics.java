package io.sdfleet.scheduler.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.scheduler.release.FairQueue;
import io.sdfleet.scheduler.state.FencedConnection;
import io.sdfleet.scheduler.stall.JobLeases;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;

/**
 * The scheduler's meters.
 * <ul>
 *   <li>{@code sdfleet.queue.depth{tier}}: jobs waiting at each stage: {@code scheduler} (held here for fair release),
 *       {@code jobs} (ready on the broker's jobs queue), {@code worker-queues} (released to the own queue of a worker
 *       holding their model, not started yet), {@code requests} (ready on the requests queue, not yet planned),
 *       {@code dead-letter} (jobs that failed for good)</li>
 *   <li>{@code sdfleet.scheduler.users.waiting}: users with jobs held here</li>
 *   <li>{@code sdfleet.scheduler.requests.planned}, {@code sdfleet.scheduler.jobs.planned},
 *       {@code sdfleet.scheduler.jobs.released}, {@code sdfleet.scheduler.jobs.released.to.holder} (of those, sent
 *       to a worker that had the model loaded): counters</li>
 *   <li>{@code sdfleet.scheduler.jobs.taken.back{reason}}: attempts released again, {@code reason}
 *       {@code deadline-overrun} (taken from a worker making no progress) or {@code returned} (handed back by the
 *       broker after its worker died)</li>
 *   <li>{@code sdfleet.scheduler.active}: 1 on the active scheduler, 0 on a standby</li>
 *   <li>{@code sdfleet.scheduler.job.hold}: timer, request accepted by the gateway → job released to the workers</li>
 * </ul>
 */
@Component
public class SchedulerMetrics {

    private final Counter requestsPlanned;
    private final Counter jobsPlanned;
    private final Counter jobsReleased;
    private final Counter releasedToHolder;
    private final Timer hold;
    private final MeterRegistry registry;

    public SchedulerMetrics(MeterRegistry registry, FairQueue queue, AmqpAdmin admin, Messaging.Names names,
                            JobLeases leases, FencedConnection connection) {
        this.registry = registry;
        Gauge.builder("sdfleet.scheduler.active", connection, c -> c.held() ? 1 : 0)
                .description("1 while this scheduler is the active one (holds the lock), 0 on a standby")
                .register(registry);
        Gauge.builder("sdfleet.queue.depth", queue, FairQueue::size).tag("tier", "scheduler")
                .description("Jobs (requests, for tier=requests) waiting at each stage").register(registry);
        brokerDepth(registry, admin, "jobs", names.jobsQueue());
        Gauge.builder("sdfleet.queue.depth", leases, JobLeases::waitingOnWorkerQueues)
                .tag("tier", "worker-queues")
                .description("Jobs (requests, for tier=requests) waiting at each stage").register(registry);
        brokerDepth(registry, admin, "requests", names.requestsQueue());
        brokerDepth(registry, admin, "dead-letter", names.jobsDeadLetterQueue());
        Gauge.builder("sdfleet.scheduler.users.waiting", queue, FairQueue::users)
                .description("Users with jobs held by the scheduler").register(registry);
        requestsPlanned = Counter.builder("sdfleet.scheduler.requests.planned")
                .description("Requests split into jobs").register(registry);
        jobsPlanned = Counter.builder("sdfleet.scheduler.jobs.planned")
                .description("Jobs planned from requests").register(registry);
        jobsReleased = Counter.builder("sdfleet.scheduler.jobs.released")
                .description("Jobs released onto the workers' queue").register(registry);
        releasedToHolder = Counter.builder("sdfleet.scheduler.jobs.released.to.holder")
                .description("Jobs released to the own queue of a worker that had their model loaded").register(registry);
        hold = Timer.builder("sdfleet.scheduler.job.hold")
                .description("From the gateway accepting a request to one of its jobs being released")
                .register(registry);
    }

    /** Ready messages of a broker queue, asked at each scrape; NaN while the broker does not answer. */
    private static void brokerDepth(MeterRegistry registry, AmqpAdmin admin, String tier, String queueName) {
        Gauge.builder("sdfleet.queue.depth", admin, a -> {
                    try {
                        QueueInformation info = a.getQueueInfo(queueName);
                        return info == null ? Double.NaN : info.getMessageCount();
                    } catch (RuntimeException brokerDown) {
                        return Double.NaN;
                    }
                }).tag("tier", tier).description("Jobs (requests, for tier=requests) waiting at each stage").register(registry);
    }

    public void planned(int jobs) {
        requestsPlanned.increment();
        jobsPlanned.increment(jobs);
    }

    /** A job left the fair queue; {@code toHolder}: for a worker that had its model loaded. */
    public void released(Instant acceptedAt, boolean toHolder) {
        jobsReleased.increment();
        if (toHolder) {
            releasedToHolder.increment();
        }
        if (acceptedAt != null) {
            Duration d = Duration.between(acceptedAt, Instant.now());
            hold.record(d.isNegative() ? Duration.ZERO : d);
        }
    }

    /** An attempt is released again ({@code reason}: deadline-overrun, returned). */
    public void takenBack(String reason) {
        Counter.builder("sdfleet.scheduler.jobs.taken.back").tag("reason", reason)
                .description("Attempts released again: taken from a stuck worker or returned after its worker died").register(registry).increment();
    }
}
