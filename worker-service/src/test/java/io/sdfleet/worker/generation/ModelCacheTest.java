package io.sdfleet.worker.generation;

import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A job's base and refiner stay loaded together even in a cache of one; the next job's model evicts them. */
class ModelCacheTest {

    private static final Path REFERENCE = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));

    @Test
    void modelsNeededTogetherAreNeverEvictedForEachOther() {
        Path base = REFERENCE.resolve("sdxl/models/mini_sdxl_base.safetensors");
        Path refiner = REFERENCE.resolve("sdxl/models/mini_sdxl_refiner.safetensors");
        Path sd15 = REFERENCE.resolve("mini_sd15_fp32.safetensors");
        Assumptions.assumeTrue(Files.isRegularFile(base), "reference data not found at " + REFERENCE + "; skipping");
        try (ModelCache cache = new ModelCache(1, ModelOptions.cpu(null))) {
            List<StableDiffusionModel> pair = cache.getTogether(List.of(base, refiner));
            assertThat(pair).extracting(StableDiffusionModel::name).containsExactly("mini_sdxl_base", "mini_sdxl_refiner");
            assertThat(cache.files()).containsExactlyInAnyOrder(base, refiner);
            assertThat(pair.get(0).manager().isOpen()).isTrue();

            assertThat(cache.getTogether(List.of(base, base))).hasSize(2).allMatch(m -> m == pair.get(0));
            StableDiffusionModel next = cache.get(sd15);
            assertThat(cache.files()).containsExactly(sd15);
            assertThat(pair.get(0).manager().isOpen()).isFalse();
            assertThat(pair.get(1).manager().isOpen()).isFalse();
            assertThat(next.manager().isOpen()).isTrue();
        }
    }
}
