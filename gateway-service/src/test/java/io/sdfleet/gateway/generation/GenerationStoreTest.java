package io.sdfleet.gateway.generation;

import io.sdfleet.gateway.auth.LimitExceededException;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shared account of requests that several gateway replicas write at once: two stores on one database stand for
 * two replicas. Was: each replica counted a user's concurrent jobs in its own memory (twice the limit with two
 * replicas), and images reserved for a request that failed, was cancelled or never queued stayed spent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GenerationStoreTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TestDatabase database;
    private JdbcTemplate jdbc;
    private GenerationStore replica1;
    private GenerationStore replica2;

    @BeforeAll
    void start() throws Exception {
        database = TestDatabase.create();
        Flyway.configure().dataSource(database.url(), database.user(), database.password())
                .schemas("gateway").defaultSchema("gateway").locations("classpath:db/gateway").load().migrate();
        replica1 = store();
        replica2 = store();
        jdbc.update("INSERT INTO users (name, max_concurrent_jobs, max_images_per_day) VALUES ('ann', 4, 100)");
    }

    private GenerationStore store() {
        DriverManagerDataSource data = new DriverManagerDataSource(database.url() + "?currentSchema=gateway",
                database.user(), database.password());
        jdbc = new JdbcTemplate(data);
        return new GenerationStore(jdbc, new TransactionTemplate(new DataSourceTransactionManager(data)), JSON);
    }

    @AfterAll
    void stop() throws Exception {
        database.close();
    }

    @Test
    void concurrentAdmissionsOnTwoReplicasCountEachOther() throws Exception {
        String user = "limit-" + UUID.randomUUID();
        int limit = 3;
        int attempts = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            GenerationStore replica = i % 2 == 0 ? replica1 : replica2;
            outcomes.add(pool.submit(() -> {
                go.await();
                try {
                    replica.insert(generation(user, 1), 0, () -> {
                        int active = replica.activeJobsOf(user);
                        if (active + 1 > limit) {
                            throw new LimitExceededException("concurrent jobs", active + " running", 10);
                        }
                        return null;
                    });
                    return true;
                } catch (LimitExceededException refused) {
                    return false;
                }
            }));
        }
        go.countDown();
        int accepted = 0;
        for (Future<Boolean> outcome : outcomes) {
            accepted += outcome.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(accepted).isEqualTo(limit);
        assertThat(replica2.activeJobsOf(user)).isEqualTo(limit);
    }

    @Test
    void imagesAreCountedOnceAndTheRequestFinishesOnce() {
        Generation g = generation("ann", 2, 2); // two batches of two
        replica1.insert(g, 0, () -> null);
        assertThat(replica1.activeJobsOf("ann")).isEqualTo(2);
        replica1.imagesStored(g.id(), List.of(0, 1));
        replica2.imagesStored(g.id(), List.of(1, 0)); // the same event recorded by the other replica, or redelivered
        assertThat(replica2.find(g.id()).orElseThrow().imagesDone()).isEqualTo(2);
        assertThat(replica2.activeJobsOf("ann")).isEqualTo(1);
        replica2.jobSkipped(g.id(), g.id() + "-2", 2);
        replica1.jobSkipped(g.id(), g.id() + "-2", 2);
        Generation.Snapshot row = replica1.find(g.id()).orElseThrow();
        assertThat(row.state()).isEqualTo(Generation.State.FINISHED);
        assertThat(row.imagesSkipped()).isEqualTo(2);
        assertThat(row.storedIndexes()).containsExactly(0, 1);
        assertThat(replica1.failed(g.id(), "late")).as("an end after the end changes nothing").isFalse();
        assertThat(replica1.find(g.id()).orElseThrow().state()).isEqualTo(Generation.State.FINISHED);
    }

    @Test
    void imagesARequestDoesNotMakeGoBackToItsQuotaDay() {
        LocalDate day = LocalDate.of(2026, 1, 2);
        jdbc.update("INSERT INTO daily_usage (user_name, day, images) VALUES ('ann', ?, 10)", day);
        Generation failing = generation("ann", 1, 4);
        replica1.insert(failing, 0, () -> day);
        replica1.imagesStored(failing.id(), List.of(0));
        assertThat(replica2.failed(failing.id(), "job x failed")).isTrue();
        assertThat(replica1.failed(failing.id(), "job x failed")).as("ended once").isFalse();
        assertThat(imagesOn(day)).as("3 of its 4 images never made").isEqualTo(7);

        Generation cancelled = generation("ann", 1, 2);
        replica1.insert(cancelled, 0, () -> day);
        assertThat(replica2.cancelled(cancelled.id())).isTrue();
        assertThat(replica1.cancelled(cancelled.id())).isFalse();
        assertThat(imagesOn(day)).isEqualTo(5);

        Generation refused = generation("ann", 1, 1);
        replica1.insert(refused, 0, () -> day);
        replica1.withdraw(refused.id()); // the broker refused it
        assertThat(replica1.find(refused.id())).isEmpty();
        assertThat(imagesOn(day)).isEqualTo(4);
    }

    @Test
    void aRequestWhosePublishingWasNeverConfirmedIsFoundBySweepers() {
        Generation left = generation("ann", 1, 1);
        replica1.insert(left, 7, () -> null);
        jdbc.update("UPDATE generations SET accepted_at = now() - interval '1 minute' WHERE id = ?", left.id());
        assertThat(replica2.unpublished(java.time.Duration.ofSeconds(15)))
                .anySatisfy(u -> {
                    assertThat(u.generation().id()).isEqualTo(left.id());
                    assertThat(u.priority()).isEqualTo(7);
                });
        replica2.published(left.id());
        assertThat(replica1.unpublished(java.time.Duration.ofSeconds(15)))
                .noneMatch(u -> u.generation().id().equals(left.id()));
    }

    @Test
    void theCurrentRequestOfAUserIsTheSameOnEveryReplica() {
        String user = "current-" + UUID.randomUUID();
        Generation older = generation(user, 1, 1);
        replica1.insert(older, 0, () -> null);
        Generation newer = new Generation(UUID.randomUUID().toString(), user, parameters(1, 1), Instant.now().plusSeconds(1));
        replica2.insert(newer, 0, () -> null);
        assertThat(replica1.currentOf(user)).contains(newer.id());
        replica1.cancelled(newer.id());
        assertThat(replica2.currentOf(user)).contains(older.id());
    }

    private int imagesOn(LocalDate day) {
        return jdbc.queryForObject("SELECT images FROM daily_usage WHERE user_name = 'ann' AND day = ?", Integer.class, day);
    }

    private static Generation generation(String user, int count) {
        return generation(user, count, 1);
    }

    private static Generation generation(String user, int count, int size) {
        return new Generation(UUID.randomUUID().toString(), user, parameters(count, size), Instant.now());
    }

    private static GenerationParameters parameters(int count, int size) {
        return new GenerationParameters(new Prompt("x", "", 1), new ImageSize(64, 64), new Batch(size, count),
                Noise.of(1), new Sampling("Euler", "Automatic", 1, 7));
    }
}
