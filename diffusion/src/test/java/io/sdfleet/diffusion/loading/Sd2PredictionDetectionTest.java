package io.sdfleet.diffusion.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.model.NoisePredictor.Prediction;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How an SD 2.x checkpoint's prediction type is decided, as A1111 does: an LDM config {@code <name>.yaml} beside it
 * wins; without one (and without our JSON sidecar saying) the UNet is probed. The mini model is linked into a
 * temporary folder so that each test controls which sidecars sit beside it.
 */
class Sd2PredictionDetectionTest {

    /** The mini SD 2.x v-prediction model the pipeline's Sd2ReferenceTest runs. */
    private static final String MODEL = "features/models/mini_sd2v.safetensors";

    // The mini model's 16-wide UNet heads cannot be guessed (SD 2.x uses 64); the JSON sidecar says only that.
    private static final String HEADS_ONLY = "{\"unet_config\": {\"num_head_channels\": 16}}";

    @TempDir
    Path dir;

    @Test
    void yamlSidecarSaysV() throws IOException {
        Path checkpoint = linkModel("yaml_v");
        Files.writeString(dir.resolve("yaml_v.json"), HEADS_ONLY);
        Files.writeString(dir.resolve("yaml_v.yaml"), """
                model:
                  target: ldm.models.diffusion.ddpm.LatentDiffusion
                  params:
                    parameterization: "v"
                    linear_start: 0.00085
                """);
        assertThat(predictionOf(checkpoint)).isEqualTo(Prediction.V);
    }

    @Test
    void yamlSidecarWithoutTheKeyMeansEpsEvenForSd2() throws IOException {
        Path checkpoint = linkModel("yaml_eps");
        Files.writeString(dir.resolve("yaml_eps.json"), HEADS_ONLY);
        Files.writeString(dir.resolve("yaml_eps.yaml"), "model:\n  params:\n    linear_start: 0.00085\n");
        assertThat(predictionOf(checkpoint)).isEqualTo(Prediction.EPSILON);
    }

    @Test
    void withoutAnyConfigTheUNetIsProbed() throws IOException {
        Path checkpoint = linkModel("probed");
        Files.writeString(dir.resolve("probed.json"), HEADS_ONLY);
        try (StableDiffusionModel model = StableDiffusionModel.load(checkpoint, ModelOptions.cpu(null))) {
            double offset = VPredictionProbe.meanOffset(model.unet(), model.manager(), model.unet().contextDim());
            System.out.printf("mini sd2v probe: mean(unet(x) − x) = %.4g%n", offset);
            // Random weights make the probe's verdict arbitrary; what matters is that loading followed it.
            assertThat(model.unet().prediction()).isEqualTo(offset < -1 ? Prediction.V : Prediction.EPSILON);
        }
    }

    @Test
    void probeReadsVFromAnOutputFarBelowItsInputAndEpsFromOneNearIt() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            assertThat(VPredictionProbe.detect(constant((x, t) -> x.mul(-3f)), m, 8)).isEqualTo(Prediction.V);
            assertThat(VPredictionProbe.detect(constant((x, t) -> x.mul(1.1f)), m, 8)).isEqualTo(Prediction.EPSILON);
            // A1111 probes at timestep 999 with x = 0.5 everywhere.
            assertThat(VPredictionProbe.meanOffset(constant((x, t) -> t.reshape(1, 1, 1, 1).sub(999f).add(x.mul(0f))),
                    m, 8)).isCloseTo(-0.5, Offset.offset(1e-6));
        }
    }

    private interface Output {
        NDArray of(NDArray x, NDArray t);
    }

    private static NoisePredictor constant(Output output) {
        return new NoisePredictor() {
            @Override
            public NDArray predict(NDArray x, NDArray timesteps, NDArray context) {
                return output.of(x, timesteps);
            }

            @Override
            public Prediction prediction() {
                return Prediction.EPSILON;
            }
        };
    }

    private Path linkModel(String stem) throws IOException {
        return Files.createSymbolicLink(dir.resolve(stem + ".safetensors"), Reference.file(MODEL));
    }

    private static Prediction predictionOf(Path checkpoint) {
        try (StableDiffusionModel model = StableDiffusionModel.load(checkpoint, ModelOptions.cpu(null))) {
            return model.unet().prediction();
        }
    }
}
