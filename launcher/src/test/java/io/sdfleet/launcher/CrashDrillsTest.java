package io.sdfleet.launcher;

import io.sdfleet.infra.RabbitMqNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL drills: every service in its own JVM, on a RabbitMQ node and a PostgreSQL cluster of the test's own, under
 * the steady load of three users ({@link DrillLoad}). Each drill waits for a moment it checks is bad for the process
 * it kills (work in flight, jobs held, an object without its row, ...), SIGKILLs it, starts it again with the
 * same settings and judges the outcome ({@link DrillVerdict}): every request finished with exactly its images, none
 * stuck, callers answered, counts back to zero. Each prints a {@code DRILL |} row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashDrillsTest {

    /** Enough steps that jobs are in flight for a while on a CPU, few enough that a drill takes a minute or two. */
    static final int STEPS = 15;
    static final Duration RESTART = Duration.ofSeconds(240);
    private static final Duration MOMENT = Duration.ofSeconds(180);

    private DrillRig rig;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(RabbitMqNode.available(), "no rabbitmq-server on this machine to run a node of our own");
        rig = DrillRig.start(dir, 2, 1, 1);
    }

    @AfterAll
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    @Order(1)
    void workerKilledMidJob() throws Exception {
        DrillLoad load = DrillLoad.start(rig, "d-worker", STEPS, 0, 0, 0);
        AtomicReference<ServiceProcess> victim = new AtomicReference<>();
        String moment = awaitMoment("a worker running a job (its heartbeat names the job, the broker holds it unacked)",
                () -> {
                    Optional<ServiceProcess> busy = rig.busyWorker();
                    if (busy.isEmpty() || rig.jobs().unacknowledged() == 0) {
                        return null;
                    }
                    victim.set(busy.get());
                    return busy.get().name() + " runs a job; jobs unacked " + rig.jobs().unacknowledged();
                });
        Instant killed = kill(victim.get());
        victim.get().restart(RESTART);
        DrillVerdict.judge(rig, load, "worker SIGKILLed mid-job", killed, 0, false, moment);
    }

    @Test
    @Order(2)
    void schedulerKilledWhileItHoldsJobsAndLeases() throws Exception {
        DrillLoad load = DrillLoad.start(rig, "d-scheduler", STEPS, 0, 0, 0);
        String moment = awaitMoment("the scheduler holds planned jobs for their turn and leases are open", () -> {
            long held = rig.jobsHeldByTheScheduler();
            RabbitMqNode.QueueState jobs = rig.jobs();
            return held > 0 && jobs.unacknowledged() > 0
                    ? "jobs held by the scheduler " + held + ", jobs ready " + jobs.ready() + " unacked "
                    + jobs.unacknowledged() : null;
        });
        ServiceProcess scheduler = rig.fleet.schedulers().getFirst();
        Instant killed = kill(scheduler);
        scheduler.restart(RESTART);
        DrillVerdict.judge(rig, load, "scheduler SIGKILLed holding planned jobs and leases", killed, 0, false, moment);
    }

    /**
     * The window between storage's S3 write and its row is milliseconds, so the drill holds it open: a transaction of
     * the test's own locks the images table against inserts (reads go on), storage's next insert waits behind it with
     * its PNG already in S3, and the drill checks exactly that (more objects than rows) before the kill; the lock goes
     * with the killed storage's connection being gone and the test's transaction rolled back.
     */
    @Test
    @Order(3)
    void storageKilledBetweenTheS3WriteAndTheRow() throws Exception {
        long orphansBefore = rig.objectsInS3() - rig.count("SELECT count(*) FROM images");
        DrillLoad load = DrillLoad.start(rig, "d-storage", STEPS, 0, 0, 0);
        String moment;
        Instant killed;
        ServiceProcess storage = rig.fleet.storage();
        try (var lock = rig.lockImagesAgainstInserts()) {
            moment = awaitMoment("an image in S3 without its row", () -> {
                long objects = rig.objectsInS3(); // first: a row never comes before its object
                long rows = rig.count("SELECT count(*) FROM images");
                return objects - rows > orphansBefore ? objects + " objects, " + rows + " rows (insert waiting)" : null;
            });
            killed = kill(storage);
        }
        String after = rig.objectsInS3() + " objects, " + rig.count("SELECT count(*) FROM images") + " rows after the kill";
        storage.restart(RESTART);
        DrillVerdict.judge(rig, load, "storage SIGKILLed between the S3 write and the row", killed, 0, false,
                moment + "; " + after);
    }

    /**
     * The gateway inserts a request's row unpublished, publishes, waits for the broker's confirm and marks the row
     * published. The drill holds that window open: a transaction of the test's own locks the newest unpublished row
     * of a burst of native POSTs (so the gateway's "published" update waits behind it, its request sent or about to
     * be), checks A1111 callers are waiting on the same gateway, and kills it. The restarted gateway's sweeper must
     * publish the row again (the scheduler plans a request id once), so the request still ends finished, once.
     */
    @Test
    @Order(4)
    void gatewayKilledBetweenInsertAndPublishWithSyncCallersWaiting() throws Exception {
        DrillLoad load = DrillLoad.start(rig, "d-gateway", STEPS, 0, 0, 0);
        AtomicBoolean stop = new AtomicBoolean();
        Thread burst = Thread.ofVirtual().start(() -> {
            for (int k = 0; !stop.get(); k++) {
                try {
                    HttpResponse<String> answer = rig.send("cy", 0, "POST", "/api/v1/generations", """
                            {"prompt": "d-gateway burst %d", "seed": 3, "steps": 2, "width": 64, "height": 64}"""
                            .formatted(k));
                    if (answer.statusCode() != 202) {
                        return;
                    }
                } catch (Exception cut) {
                    return; // the gateway is gone
                }
            }
        });
        String moment;
        try (var held = rig.holdUnpublishedRequest("d-gateway burst", load.syncWaiting::get)) {
            moment = held.moment();
            ServiceProcess gateway = rig.fleet.gateways().getFirst();
            Instant killed = kill(gateway);
            stop.set(true);
            held.close(); // the test's lock goes; the row stays unpublished, as the dead gateway left it
            gateway.restart(RESTART);
            DrillVerdict.judge(rig, load, "gateway SIGKILLed between insert and publish, A1111 callers waiting",
                    killed, 0, true, moment);
        } finally {
            stop.set(true);
            burst.join(Duration.ofSeconds(60));
        }
    }

    @Test
    @Order(5)
    void postgresPostmasterKilledWhileImagesAreStored() throws Exception {
        DrillLoad load = DrillLoad.start(rig, "d-postgres", STEPS, 0, 0, 0);
        String moment = awaitMoment("jobs running and the load's images partly stored", () -> {
            long rows = rig.count("SELECT count(*) FROM images WHERE prompt LIKE 'd-postgres %'");
            long unacked = rig.jobs().unacknowledged();
            return rows > 0 && unacked > 0 ? rows + " images stored, " + unacked + " jobs running" : null;
        });
        Instant killed = Instant.now();
        rig.postgres.killPostmaster();
        rig.postgres.restart();
        DrillVerdict.judge(rig, load, "PostgreSQL postmaster SIGKILLed while images are stored", killed, 0, false,
                moment);
    }

    @Test
    @Order(6)
    void rabbitMqNodeKilledWithJobsOutAndWaiting() throws Exception {
        DrillLoad load = DrillLoad.start(rig, "d-rabbitmq", STEPS, 0, 0, 0);
        String moment = awaitMoment("jobs unacked on the node and more waiting (on the node or held by the scheduler)",
                () -> {
                    long held = rig.jobsHeldByTheScheduler();
                    RabbitMqNode.QueueState jobs = rig.jobs();
                    return jobs.unacknowledged() > 0 && jobs.ready() + held > 0
                            ? "jobs unacked " + jobs.unacknowledged() + ", ready " + jobs.ready()
                            + ", held by the scheduler " + held : null;
                });
        Instant killed = Instant.now();
        rig.broker.kill();
        rig.broker.restart();
        DrillVerdict.judge(rig, load, "RabbitMQ node SIGKILLed with jobs out and waiting", killed, 0, false,
                moment);
    }

    private static Instant kill(ServiceProcess process) throws InterruptedException {
        Instant at = Instant.now();
        process.kill();
        assertThat(process.exitStatus()).as(process.name() + " died of SIGKILL (128 + 9)").isEqualTo(137);
        return at;
    }

    static String awaitMoment(String what, Callable<String> evidence) throws Exception {
        return awaitMoment(what, evidence, Duration.ofMillis(200));
    }

    /** Polls until {@code evidence} describes the bad moment (non-null), failing with what was looked for at the bound. */
    static String awaitMoment(String what, Callable<String> evidence, Duration pause) throws Exception {
        Instant deadline = Instant.now().plus(MOMENT);
        while (Instant.now().isBefore(deadline)) {
            String seen = evidence.call();
            if (seen != null) {
                return seen;
            }
            if (!pause.isZero()) {
                Thread.sleep(pause);
            }
        }
        throw new AssertionError("the bad moment never came within " + MOMENT + ": " + what);
    }
}
