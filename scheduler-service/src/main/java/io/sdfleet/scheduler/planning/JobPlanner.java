package io.sdfleet.scheduler.planning;

import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;

import java.util.ArrayList;
import java.util.List;

/**
 * A request is {@code nIter} batches of {@code batchSize} images, image k having seed {@code seed + k} (with a
 * variation seed: the seed itself, and variation seed subseed + k, as A1111). Each batch
 * becomes one job, unless no worker can hold that many images at once: then it is cut into batches of at most
 * {@code maxBatch}. Seeds and image indexes are unchanged by the cut, so every image is still reproducible alone.
 */
public final class JobPlanner {

    private JobPlanner() {
    }

    public static List<JobMessage> plan(GenerationRequested request, int maxBatch) {
        GenerationParameters p = request.parameters();
        int batchSize = p.batch().size();
        int perJob = Math.max(1, Math.min(batchSize, maxBatch));
        List<JobMessage> jobs = new ArrayList<>();
        for (int batch = 0; batch < p.batch().count(); batch++) {
            int batchStart = batch * batchSize;
            for (int offset = 0; offset < batchSize; offset += perJob) {
                int first = batchStart + offset;
                int size = Math.min(perJob, batchSize - offset);
                List<Long> seeds = new ArrayList<>();
                for (int k = 0; k < size; k++) {
                    seeds.add(p.noise().seedOf(first + k));
                }
                GenerationParameters forJob = p.withBatch(new Batch(size, 1)).withNoise(p.noise().withSeed(seeds.get(0)));
                if (p.extras() != null) { // an extras job carries only its own images
                    forJob = forJob.withExtras(p.extras().fromImage(first, size));
                }
                jobs.add(new JobMessage(JobMessage.jobIdOf(request.requestId(), first), request.requestId(),
                        request.user(), first, seeds, forJob, request.priority()));
            }
        }
        return jobs;
    }
}
