package io.sdfleet.scheduler.planning;

import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.request.Batch;
import io.sdfleet.request.Extras;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import io.sdfleet.scheduler.release.FairQueue;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JobPlannerTest {

    private static GenerationRequested request(String user, int batchSize, int nIter) {
        return new GenerationRequested("r-" + user, user, Instant.now(), new GenerationParameters(new Prompt("p", "", 1),
                new ImageSize(512, 512), new Batch(batchSize, nIter), Noise.of(1000),
                new Sampling("Euler", "Automatic", 20, 7)));
    }

    @Test
    void batchCountTimesBatchSizeWithConsecutiveSeeds() {
        List<JobMessage> jobs = JobPlanner.plan(request("a", 2, 3), Integer.MAX_VALUE);
        assertThat(jobs).hasSize(3);
        assertThat(jobs).flatExtracting(JobMessage::seeds).containsExactly(1000L, 1001L, 1002L, 1003L, 1004L, 1005L);
        assertThat(jobs).extracting(JobMessage::firstImageIndex).containsExactly(0, 2, 4);
        assertThat(jobs.get(1).parameters().batch().size()).isEqualTo(2);
        assertThat(jobs.get(1).parameters().noise().seed()).isEqualTo(1002L);
    }

    @Test
    void anExtrasRequestIsOneJobPerImageEachCarryingOnlyItsImage() {
        Extras extras = new Extras(List.of("sdfleet-input:" + "a".repeat(64), "sdfleet-input:" + "b".repeat(64),
                "sdfleet-input:" + "c".repeat(64)), java.util.Arrays.asList("a.png", null, "c.png"), 0, 2, false, 512,
                512, true, "Lanczos", "None", 0, 0, 0, 0);
        GenerationRequested r = new GenerationRequested("r-x", "x", Instant.now(), new GenerationParameters(
                new Prompt("", "", 1), new ImageSize(64, 64), new Batch(1, 3), Noise.of(7),
                new Sampling("Euler", "Automatic", 1, 0)).withExtras(extras));
        List<JobMessage> jobs = JobPlanner.plan(r, Integer.MAX_VALUE);
        assertThat(jobs).extracting(JobMessage::firstImageIndex).containsExactly(0, 1, 2);
        assertThat(jobs).extracting(j -> j.parameters().extras().images())
                .containsExactly(List.of(extras.images().get(0)), List.of(extras.images().get(1)), List.of(extras.images().get(2)));
        assertThat(jobs.get(2).parameters().extras().names()).containsExactly("c.png");
        assertThat(jobs.get(1).parameters().extras().upscaler1()).isEqualTo("Lanczos");
    }

    @Test
    void aBatchNoWorkerCanHoldIsSplitKeepingSeedsAndIndexes() {
        List<JobMessage> jobs = JobPlanner.plan(request("a", 4, 1), 3);
        assertThat(jobs).extracting(j -> j.seeds().size()).containsExactly(3, 1);
        assertThat(jobs).flatExtracting(JobMessage::seeds).containsExactly(1000L, 1001L, 1002L, 1003L);
        assertThat(jobs).extracting(JobMessage::jobId).doesNotHaveDuplicates();
    }

    @Test
    void usersTakeTurns() {
        FairQueue queue = new FairQueue(300);
        for (JobMessage job : JobPlanner.plan(request("big", 1, 5), 8)) {
            queue.add("big", new FairQueue.Pending(job));
        }
        for (JobMessage job : JobPlanner.plan(request("small", 1, 1), 8)) {
            queue.add("small", new FairQueue.Pending(job));
        }
        List<String> order = new ArrayList<>();
        queue.next().ifPresent(p -> order.add(p.job().user()));
        queue.next().ifPresent(p -> order.add(p.job().user()));
        assertThat(order).containsExactly("big", "small");
        assertThat(queue.size()).isEqualTo(4);
    }
}
