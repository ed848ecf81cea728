package io.sdfleet.worker.messaging;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.messaging.ProcessQueue;
import io.sdfleet.messaging.SharedQueues;
import io.sdfleet.worker.WorkerProperties;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The queues the worker uses, declared idempotently at start-up (every service declares what it touches, so start
 * order does not matter): the shared jobs queue and its dead-letter queue, this worker's own jobs queue, and its
 * control queue bound to the events exchange.
 */
@Configuration
public class BrokerTopology {

    /** This worker's own queue of cancellations, skips, finished jobs and drains. */
    @Bean
    Queue workerControlQueue(Messaging.Names names, WorkerProperties properties) {
        return ProcessQueue.named(names, "worker.control." + properties.id());
    }

    /** Jobs the scheduler meant for this worker because it holds their model. */
    @Bean
    Queue ownJobsQueue(Messaging.Names names, WorkerProperties properties) {
        return SharedQueues.workerJobs(names, properties.id());
    }

    /**
     * The jobs consumer takes from two queues (the shared one and this worker's own) on one channel; a channel-wide
     * prefetch of 1 keeps it at one job at a time in all, so no second job waits inside a busy worker while another
     * worker idles. (RabbitMQ reads the global flag as per channel; without it the limit is per queue consumer.)
     * On a graceful stop the running job is given {@code shutdown-grace-seconds} to end (it republishes itself at its
     * next step, or finishes storing and is acknowledged) before the channel is closed: a channel closed under a job
     * makes the broker redeliver it marked redelivered, which the next worker would take for a crash.
     */
    @Bean
    SimpleRabbitListenerContainerFactory jobsListenerFactory(
            SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory,
            ObjectProvider<ContainerCustomizer<
                    SimpleMessageListenerContainer>> customizers,
            @Value("${sdfleet.worker.shutdown-grace-seconds:50}") int shutdownGraceSeconds) {
        var factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        factory.setGlobalQos(true);
        factory.setContainerCustomizer(container -> {
            container.setShutdownTimeout(shutdownGraceSeconds * 1000L);
            customizers.ifUnique(customizer -> customizer.configure(container));
        });
        return factory;
    }

    @Bean
    Declarables workerDeclarables(Messaging.Names names, Queue workerControlQueue, TopicExchange eventsExchange,
                                  WorkerProperties properties) {
        return new Declarables(SharedQueues.jobs(names), SharedQueues.jobsDeadLetter(names),
                BindingBuilder.bind(workerControlQueue).to(eventsExchange).with(EventKind.CANCELLED.ofAnyRequest()),
                BindingBuilder.bind(workerControlQueue).to(eventsExchange).with(EventKind.SKIP.ofAnyRequest()),
                // jobs finished by any worker (a late copy of one is dropped), and the scheduler's drain for this one
                BindingBuilder.bind(workerControlQueue).to(eventsExchange).with(EventKind.JOB_FINISHED.ofAnyRequest()),
                BindingBuilder.bind(workerControlQueue).to(eventsExchange).with(Messaging.drainKey(properties.id())));
    }
}
