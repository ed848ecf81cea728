package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.runtime.MemoryProbe;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DJL's native memory is freed only when managers close: a whole 200-step run (CFG, sampler history, noise
 * draws) must keep the process's resident memory flat from step to step.
 */
class PipelineMemoryTest {

    @Test
    void residentMemoryStaysFlatOver200SamplerSteps() {
        try (StableDiffusionModel model = MiniModel.load()) {
            for (String sampler : List.of("DPM++ 2M", "Euler a")) {
                List<Long> rss = new ArrayList<>();
                GenerationParameters p = new GenerationParameters(new Prompt("a lighthouse at dusk", "fog", 1),
                        new ImageSize(64, 64), new Batch(1, 1), Noise.of(3),
                        new Sampling(sampler, "Automatic", 200, 7));
                new ImageGeneration(model).generate(p, Optional.empty(), (step, total, elapsed) -> {
                    if (step % 20 == 0) {
                        System.gc(); // heap pages are not what we measure; keep them from drifting RSS
                        rss.add(MemoryProbe.residentBytes());
                    }
                });
                long afterWarmUp = rss.get(1);
                long end = rss.get(rss.size() - 1);
                System.out.printf("%s: RSS every 20 steps (MB): %s%n", sampler, rss.stream().map(b -> b >> 20).toList());
                assertThat(end - afterWarmUp).as("%s RSS growth from step 40 to 200", sampler).isLessThan(24L << 20);
            }
        }
    }
}
