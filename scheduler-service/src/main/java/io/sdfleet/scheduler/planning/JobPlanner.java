package io.sdfleet.scheduler.planning;

import io.sdfleet.contracts.GenerationParameters;
import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobMessage;

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
        int perJob = Math.max(1, Math.min(p.batchSize(), maxBatch));
        List<JobMessage> jobs = new ArrayList<>();
        for (int batch = 0; batch < p.nIter(); batch++) {
            int batchStart = batch * p.batchSize();
            for (int offset = 0; offset < p.batchSize(); offset += perJob) {
                int first = batchStart + offset;
                int size = Math.min(perJob, p.batchSize() - offset);
                List<Long> seeds = new ArrayList<>();
                for (int k = 0; k < size; k++) {
                    seeds.add(p.seedOf(first + k));
                }
                jobs.add(new JobMessage(JobMessage.jobIdOf(request.requestId(), first), request.requestId(),
                        request.user(), first, seeds, p.withBatch(p.seedOf(first), size, 1), request.priority()));
            }
        }
        return jobs;
    }
}
