package io.sdfleet.launcher;

import io.sdfleet.infra.RabbitMqNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateways and two schedulers under the drills' load (A1111 calls on the first gateway, native requests on the
 * second, their event streams on the first): the first gateway is SIGKILLed while A1111 callers wait on it and the
 * first scheduler while it holds planned jobs, both restarted; then the same verdict as {@link CrashDrillsTest}, asked of
 * the gateway that stayed up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaledOutCrashDrillTest {

    private DrillRig rig;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(RabbitMqNode.available(), "no rabbitmq-server on this machine to run a node of our own");
        rig = DrillRig.start(dir, 2, 2, 2);
    }

    @AfterAll
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void oneOfTwoGatewaysAndOneOfTwoSchedulersKilled() throws Exception {
        DrillLoad load = DrillLoad.start(rig, "d-two", CrashDrillsTest.STEPS, 0, 1, 0);
        String moment = CrashDrillsTest.awaitMoment("A1111 callers waiting on gateway 1, jobs held and out", () -> {
            long held = rig.jobsHeldByTheScheduler();
            return load.syncWaiting.get() > 0 && held > 0 && rig.jobs().unacknowledged() > 0
                    ? load.syncWaiting.get() + " A1111 calls waiting, jobs held by the schedulers " + held
                    + ", jobs unacked " + rig.jobs().unacknowledged() : null;
        });
        ServiceProcess gateway = rig.fleet.gateways().getFirst();
        ServiceProcess scheduler = rig.fleet.schedulers().getFirst();
        Instant killed = Instant.now();
        gateway.kill();
        scheduler.kill();
        assertThat(gateway.exitStatus()).isEqualTo(137);
        assertThat(scheduler.exitStatus()).isEqualTo(137);
        gateway.restart(CrashDrillsTest.RESTART);
        scheduler.restart(CrashDrillsTest.RESTART);
        DrillVerdict.judge(rig, load, "one of two gateways and one of two schedulers SIGKILLed", killed, 1, true, moment);
    }
}
