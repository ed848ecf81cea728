package io.sdfleet.contracts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Event kinds on the wire: message types and routing keys as the services have always sent them. */
class EventKindTest {

    @Test
    void eachKindTravelsUnderItsWireName() {
        assertThat(EventKind.PROGRESS.routingKey("r1")).isEqualTo("request.r1.progress");
        assertThat(EventKind.JOB_FINISHED.ofAnyRequest()).isEqualTo("request.*.job-finished");
        assertThat(EventKind.JOB_FAILED.wireName()).isEqualTo("job-failed");
        assertThat(EventKind.WORKER_FAULT.wireName()).isEqualTo("worker-fault");
        for (EventKind kind : EventKind.values()) {
            assertThat(EventKind.named(kind.wireName())).isEqualTo(kind);
            assertThat(EventKind.ofRoutingKey(kind.routingKey("4f-e1"))).isEqualTo(kind);
        }
    }

    @Test
    void whatIsNoEventKindReadsAsNone() {
        assertThat(EventKind.named(null)).isNull();
        assertThat(EventKind.named("heartbeat")).isNull();
        assertThat(EventKind.ofRoutingKey(null)).isNull();
        assertThat(EventKind.ofRoutingKey(Messaging.drainKey("gpu-1"))).isNull();
    }
}
