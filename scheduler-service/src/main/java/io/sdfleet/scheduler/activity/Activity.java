package io.sdfleet.scheduler.activity;

import io.sdfleet.scheduler.messaging.EventFollower;
import io.sdfleet.scheduler.messaging.RequestListener;
import io.sdfleet.scheduler.state.FencedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;

/**
 * Whether this scheduler is the active one. It is while it holds PostgreSQL's advisory lock (see
 * {@link FencedConnection}); a standby tries for the lock every {@code sdfleet.scheduler.activity.poll-ms}. Becoming
 * active rebuilds the views from the durable state and then starts the listeners of requests and job events;
 * losing the lock's connection stops them and drops the views. Heartbeats and progress are heard by every replica
 * (their queues are the process's own and must not pile up); they only matter where leases exist, i.e. on the
 * active one.
 */
@Component
public class Activity implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Activity.class);

    /** The listeners only the active scheduler runs. */
    private static final List<String> ACTIVE_LISTENERS = List.of(RequestListener.REQUESTS_LISTENER,
            EventFollower.JOB_EVENTS_LISTENER);

    private final FencedConnection connection;
    private final StateRestorer restorer;
    private final RabbitListenerEndpointRegistry listeners;
    private volatile boolean active;
    private volatile boolean running;

    Activity(FencedConnection connection, StateRestorer restorer, RabbitListenerEndpointRegistry listeners) {
        this.connection = connection;
        this.restorer = restorer;
        this.listeners = listeners;
    }

    public boolean isActive() {
        return active;
    }

    /** Tries for the lock (standby) or checks it is still held (active). */
    @Scheduled(fixedDelayString = "${sdfleet.scheduler.activity.poll-ms:2000}")
    public synchronized void poll() {
        if (!running) {
            return;
        }
        if (active) {
            if (!connection.stillHeld()) {
                deactivate("lost the connection holding the scheduler lock");
            }
        } else if (connection.tryLock()) {
            activate();
        }
    }

    private void activate() {
        StateRestorer.Restored restored;
        try {
            restored = restorer.restore(Instant.now());
        } catch (RuntimeException e) {
            log.warn("took the scheduler lock but could not read the state; standing by: {}", e.toString());
            restorer.clear();
            connection.close();
            return;
        }
        active = true;
        ACTIVE_LISTENERS.forEach(id -> listeners.getListenerContainer(id).start());
        log.info("this scheduler is now the active one: {} pending jobs, {} released jobs watched, {} users' usage, "
                + "{} drained workers restored", restored.pending(), restored.leases(), restored.users(), restored.drained());
    }

    private void deactivate(String why) {
        active = false;
        ACTIVE_LISTENERS.forEach(id -> listeners.getListenerContainer(id).stop());
        restorer.clear();
        connection.close();
        log.warn("this scheduler is no longer the active one ({}); standing by", why);
    }

    /** Tries for the lock at once, so that a lone scheduler is active as soon as it has started. */
    @Override
    public synchronized void start() {
        running = true;
        poll();
        if (!active) {
            log.info("another scheduler is active; this one stands by");
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (active) {
            deactivate("shutting down");
        } else {
            connection.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
