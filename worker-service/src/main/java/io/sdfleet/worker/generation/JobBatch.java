package io.sdfleet.worker.generation;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.Img2Img;

/**
 * A job's share of its request as the engine's one batch: the job's seeds, and image {@code firstImageIndex}'s
 * variation seed and init image as the batch's first, since the engine counts both from its batch's first image.
 */
final class JobBatch {

    private JobBatch() {
    }

    static GenerationParameters of(JobMessage job) {
        GenerationParameters p = job.parameters();
        int first = job.firstImageIndex();
        int count = job.seeds().size();
        Img2Img img2img = p.img2img() == null ? null : p.img2img().fromImage(first, count);
        return p.withBatch(new Batch(count, 1))
                .withNoise(p.noise().withSeeds(job.seeds().get(0), p.noise().subseedOf(first)))
                .withImg2Img(img2img);
    }

    /** An extras job with the images of its share: image {@code firstImageIndex} of the request first. */
    static JobMessage extrasOf(JobMessage job) {
        GenerationParameters p = job.parameters();
        int count = job.seeds().size();
        if (p.extras().images().size() == count) {
            return job; // already cut to the job's share
        }
        return new JobMessage(job.jobId(), job.requestId(), job.user(), job.firstImageIndex(), job.seeds(),
                p.withExtras(p.extras().fromImage(job.firstImageIndex(), count)), job.priority());
    }
}
