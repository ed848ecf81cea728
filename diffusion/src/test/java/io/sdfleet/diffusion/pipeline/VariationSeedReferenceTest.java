package io.sdfleet.diffusion.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.noise.NoiseStream;
import io.sdfleet.diffusion.noise.Slerp;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.sampling.ImageNoise;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.RngSource;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference case variation_seed_A: seed 1234 slerped 30 % towards variation seed 5678 with A1111's slerp, for
 * the CPU and the NV source, and a whole txt2img run from the CPU mix.
 */
class VariationSeedReferenceTest {

    private static final String CASE = "features/cases/variation_seed_A";
    private static final Shape PER_IMAGE = new Shape(4, 8, 8);
    // slerp runs in float32 through acos/sin: a few ulps of the unit-scale noise.
    private static final double MIX_TOLERANCE = 1e-5;

    @Test
    void slerpOfTheStoredNoisesMatchesA1111sSlerp() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        float strength = (float) Reference.json(CASE + ".json").path("subseed_strength").asDouble();
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray mixed = Slerp.mix(strength, Tensors.load(ref.get("noise_nv_seed"), m), Tensors.load(ref.get("noise_nv_subseed"), m));
            double error = Tensors.maxAbs(mixed, ref.get("noise_nv_mixed"));
            System.out.printf("variation_seed_A slerp alone (NV inputs): max |error| %.2e%n", error);
            assertThat(error).isLessThanOrEqualTo(MIX_TOLERANCE);
        }
    }

    @Test
    void cpuSourceVariationNoiseMatchesTheCase() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray noise = imageNoise(RngSource.CPU).initial(m, PER_IMAGE);
            double seedError = Tensors.maxAbs(NoiseStream.of(RngSource.CPU, seed()).next(m, PER_IMAGE), ref.get("noise_seed"));
            double subseedError = Tensors.maxAbs(NoiseStream.of(RngSource.CPU, subseed()).next(m, PER_IMAGE), ref.get("noise_subseed"));
            double error = Tensors.maxAbs(noise, ref.get("noise"));
            System.out.printf("variation_seed_A CPU: seed %.2e, subseed %.2e, mixed %.2e%n", seedError, subseedError, error);
            assertThat(seedError).isEqualTo(0);
            assertThat(subseedError).isEqualTo(0);
            assertThat(error).isLessThanOrEqualTo(MIX_TOLERANCE);
        }
    }

    @Test
    void nvSourceVariationNoiseMatchesTheCase() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray noise = imageNoise(RngSource.NV).initial(m, PER_IMAGE);
            double seedError = Tensors.maxAbs(NoiseStream.of(RngSource.NV, seed()).next(m, PER_IMAGE), ref.get("noise_nv_seed"));
            double subseedError = Tensors.maxAbs(NoiseStream.of(RngSource.NV, subseed()).next(m, PER_IMAGE), ref.get("noise_nv_subseed"));
            double error = Tensors.maxAbs(noise.squeeze(0), ref.get("noise_nv_mixed"));
            System.out.printf("variation_seed_A NV: seed %.2e, subseed %.2e, mixed %.2e%n", seedError, subseedError, error);
            assertThat(seedError).isEqualTo(0);
            assertThat(subseedError).isEqualTo(0);
            assertThat(error).isLessThanOrEqualTo(MIX_TOLERANCE);
        }
    }

    @Test
    void txt2imgWithAVariationSeedMatchesTheCaseLatent() {
        JsonNode json = Reference.json(CASE + ".json");
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(Reference.file("features/models/mini_sd1.safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")))) {
            GenerationParameters p = new GenerationParameters(new Prompt(json.path("prompt").asText(), json.path("negative_prompt").asText(), 1),
                    new ImageSize(json.path("width").asInt(), json.path("height").asInt()), new Batch(1, 1), Noise.of(seed()),
                    new Sampling(json.path("sampler").asText(), "Automatic", json.path("steps").asInt(), json.path("cfg_scale").asDouble()))
                    .withNoise(Noise.of(seed()).withVariation(subseed(), json.path("subseed_strength").asDouble()));

            GenerationResult result = new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE);

            float[] expected = ref.get("latent").toFloats();
            double max = 0;
            for (float v : expected) {
                max = Math.max(max, Math.abs(v));
            }
            double error = Tensors.maxAbs(result.latents(), expected);
            System.out.printf("variation_seed_A txt2img: max |latent error| %.2e (max |latent| %.1f)%n", error, max);
            assertThat(error).isLessThanOrEqualTo(1e-3 * max);
            assertThat(result.images().get(0).infotext())
                    .contains("Seed: 1234,", "Variation seed: 5678, Variation seed strength: 0.3,", "RNG: CPU");
        }
    }

    private static ImageNoise imageNoise(RngSource source) {
        double strength = Reference.json(CASE + ".json").path("subseed_strength").asDouble();
        Noise options = Noise.of(seed()).withSource(source).withVariation(subseed(), strength);
        return new ImageNoise(options, new long[] {seed()}, new long[] {subseed()});
    }

    private static long seed() {
        return Reference.json(CASE + ".json").path("seed").asLong();
    }

    private static long subseed() {
        return Reference.json(CASE + ".json").path("subseed").asLong();
    }
}
