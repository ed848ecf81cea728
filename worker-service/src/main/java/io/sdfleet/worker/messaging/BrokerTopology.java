package io.sdfleet.worker.messaging;

import io.sdfleet.contracts.Messaging;
import io.sdfleet.messaging.WorkerJobQueue;
import io.sdfleet.worker.WorkerProperties;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The queues and exchanges the worker uses, declared idempotently at start-up (every service declares what it
 * touches, so start order does not matter): a durable jobs queue and its dead-letter queue, the events
 * topic exchange and the heartbeats fanout exchange.
 */
@Configuration
public class BrokerTopology {

    /** This worker's own queue of cancellations (exclusive, auto-delete: only relevant while it runs). */
    @Bean
    Queue workerControlQueue(Messaging.Names names, WorkerProperties properties) {
        return new Queue(names.prefix() + "worker.control." + properties.id(), false, true, true);
    }

    /** Jobs the scheduler meant for this worker because it holds their model (see WorkerJobQueue). */
    @Bean
    Queue ownJobsQueue(Messaging.Names names, WorkerProperties properties) {
        return WorkerJobQueue.of(names, properties.id());
    }

    /**
     * The jobs consumer takes from two queues (the shared one and this worker's own) on one channel; a channel-wide
     * prefetch of 1 keeps it at one job at a time in all, so no second job waits inside a busy worker while another
     * worker idles. (RabbitMQ reads the global flag as per channel; without it the limit is per queue consumer.)
     */
    @Bean
    SimpleRabbitListenerContainerFactory jobsListenerFactory(
            SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory,
            ObjectProvider<ContainerCustomizer<
                    SimpleMessageListenerContainer>> customizers) {
        var factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        factory.setGlobalQos(true);
        customizers.ifUnique(factory::setContainerCustomizer);
        return factory;
    }

    @Bean
    Declarables workerDeclarables(Messaging.Names names, Queue workerControlQueue,
                                  WorkerProperties properties) {
        String workerId = properties.id();
        // Plain durable queues: the worker moves dead jobs itself, so no broker-specific queue arguments are needed.
        Queue jobs = QueueBuilder.durable(names.jobsQueue()).build();
        Queue dead = QueueBuilder.durable(names.jobsDeadLetterQueue()).build();
        TopicExchange events = new TopicExchange(names.eventsExchange(), true, false);
        return new Declarables(jobs, dead, events,
                BindingBuilder.bind(workerControlQueue).to(events)
                        .with(Messaging.eventKey("*", Messaging.CANCELLED)),
                BindingBuilder.bind(workerControlQueue).to(events)
                        .with(Messaging.eventKey("*", Messaging.SKIP)),
                // jobs finished by any worker (a late copy of one is dropped), and the scheduler's drain for this one
                BindingBuilder.bind(workerControlQueue).to(events)
                        .with(Messaging.eventKey("*", "job-finished")),
                BindingBuilder.bind(workerControlQueue).to(events)
                        .with(Messaging.drainKey(workerId)),
                new FanoutExchange(names.heartbeatsExchange(), true, false));
    }
}
