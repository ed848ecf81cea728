package io.sdfleet.worker.job;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.stereotype.Component;

/**
 * The scheduler told this worker to stop taking jobs (it kept failing). The jobs consumer is cancelled; a job still
 * running may finish and is acknowledged as usual (its channel is not forced closed). Heartbeats go on, so the
 * worker stays visible; a restart puts it back to work.
 */
@Component
public class Drain {

    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    private final RabbitListenerEndpointRegistry registry;
    private volatile String reason;

    public Drain(RabbitListenerEndpointRegistry registry) {
        this.registry = registry;
    }

    public void drain(String why) {
        if (reason != null) {
            return;
        }
        reason = why;
        log.warn("drained by the scheduler, taking no more jobs: {}", why);
        MessageListenerContainer container = registry.getListenerContainer(JobListener.CONTAINER_ID);
        if (container == null) {
            return;
        }
        if (container instanceof AbstractMessageListenerContainer c) {
            c.setForceCloseChannel(false); // a running job may still finish and be acknowledged
        }
        Thread.ofVirtual().name("sdfleet-drain").start(container::stop); // stop waits for the running job
    }

    /** Why the worker was drained; null while it takes jobs. */
    public String reason() {
        return reason;
    }

    public boolean drained() {
        return reason != null;
    }
}
