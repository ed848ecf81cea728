package io.sdfleet.diffusion.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.model.ConditioningSchedule;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.sampling.CfgDenoiser;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.request.Refiner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-off step of A1111's {@code apply_refiner} on the reference case's σ schedule (8 Euler steps, switch at
 * 0.8: 6 base calls, then the refiner), each call's nearest training step as the case lists it, and the refiner's
 * denoiser going on from the base's call index.
 */
class RefinerHandOffTest {

    @Test
    void switchesAtTheFirstCallWhoseCompletedRatioReachesTheSwitchPoint() {
        JsonNode json = Reference.json("sdxl/cases/refiner_euler_switch_0.8.json");
        DiscreteSchedule schedule = DiscreteSchedule.sdDefault();
        try (SafetensorsFile ref = Reference.tensors("sdxl/cases/refiner_euler_switch_0.8.safetensors");
             NDManager m = Torch.newManager(Device.cpu())) {
            float[] sigmas = ref.get("sigmas").toFloats();
            List<Integer> nearest = new ArrayList<>();
            for (int i = 0; i < sigmas.length - 1; i++) {
                nearest.add(schedule.nearestT(sigmas[i]));
            }
            List<Integer> expected = new ArrayList<>();
            json.path("nearest_timestep_per_step").forEach(t -> expected.add(t.asInt()));
            assertThat(nearest).isEqualTo(expected);

            Conditioning empty = Conditioning.of(m.zeros(new Shape(1, 1, 4)));
            List<String> answeredBy = new ArrayList<>();
            int[] refinerFirstCall = {-1};
            RefinerHandOff handOff = new RefinerHandOff(denoiser(schedule, empty, "base", answeredBy, 0),
                    new Refiner("refiner", json.path("a1111_request").path("refiner_switch_at").asDouble()), schedule,
                    firstCall -> {
                        refinerFirstCall[0] = firstCall;
                        return denoiser(schedule, empty, "refiner", answeredBy, firstCall);
                    });
            NDArray x = m.zeros(new Shape(1, 4, 2, 2));
            for (int i = 0; i < sigmas.length - 1; i++) {
                handOff.denoise(x, sigmas[i]).close();
            }
            int switchStep = json.path("switch_step").asInt();
            assertThat(answeredBy.subList(0, switchStep)).containsOnly("base");
            assertThat(answeredBy.subList(switchStep, answeredBy.size())).containsOnly("refiner");
            assertThat(handOff.handedOffAt()).isEqualTo(switchStep);
            assertThat(refinerFirstCall[0]).isEqualTo(switchStep);
        }
    }

    @Test
    void aSwitchPointOfOneIsReachedOnlyAtTheLastTrainingStepAndNoneSwitchesAtOnce() {
        assertThat(new Refiner("r", 1.0).takesOverAt((999 - 1) / 1000f)).isFalse();
        assertThat(new Refiner("r", 0.8).takesOverAt((999 - 199) / 1000f)).isTrue();
        assertThat(new Refiner("r", null).takesOverAt(0)).isTrue();
    }

    /** A guided denoiser over a UNet that predicts zero noise and records who answered. */
    private static CfgDenoiser denoiser(DiscreteSchedule schedule, Conditioning c, String name, List<String> log,
                                        int firstCall) {
        NoisePredictor zero = new NoisePredictor() {
            @Override
            public NDArray predict(NDArray x, NDArray timesteps, NDArray context) {
                log.add(name);
                return x.zerosLike();
            }

            @Override
            public Prediction prediction() {
                return Prediction.EPSILON;
            }
        };
        return new CfgDenoiser(zero, schedule, List.of(new CfgDenoiser.WeightedCondition(ConditioningSchedule.constant(c),
                1f)), ConditioningSchedule.constant(c), 7f, firstCall);
    }
}
