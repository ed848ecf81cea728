package io.sdfleet.diffusion.noise;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both RNG sources against the reference case {@code rng}: torch's CPU generator and A1111's Philox "NV"
 * generator (rng_philox.py, run verbatim), for several seeds and shapes, a second draw, and the NV docstring.
 */
class RngReferenceTest {

    private static final String CASE = "features/cases/rng";
    // Same floats in another language: log/sin may round the last float32 bit differently.
    private static final double NV_TOLERANCE = 1e-6;

    @Test
    void philoxDrawsMatchA1111sNvGeneratorForEverySeedAndShape() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        double worst = 0;
        for (Drawn drawn : drawnCases("nv")) {
            float[] actual = new PhiloxStream(drawn.seed()).nextFloats(drawn.shape());
            double error = Tensors.maxAbs(actual, ref.get(drawn.key()).toFloats());
            assertThat(error).as(drawn.key()).isLessThanOrEqualTo(NV_TOLERANCE);
            worst = Math.max(worst, error);
        }
        System.out.printf("rng nv/*: max |error| %.2e%n", worst);
    }

    @Test
    void secondPhiloxDrawAdvancesTheOffset() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        PhiloxStream stream = new PhiloxStream(42);
        Shape shape = new Shape(4, 8, 8);
        stream.skip(new Shape(1, 4, 8, 8));
        double error = Tensors.maxAbs(stream.nextFloats(shape), ref.get("nv/42/second_draw_4x8x8").toFloats());
        System.out.printf("rng nv/42 second draw: max |error| %.2e%n", error);
        assertThat(error).isLessThanOrEqualTo(NV_TOLERANCE);
    }

    @Test
    void philoxReproducesTheDocstringExampleOfRngPhilox() {
        JsonNode expectedRows = Reference.json(CASE + ".json").path("nv_docstring_expected");
        float[] actual = new PhiloxStream(0).nextFloats(new Shape(3, 4));
        float[] expected = new float[12];
        for (int i = 0; i < 12; i++) {
            expected[i] = (float) expectedRows.get(i / 4).get(i % 4).asDouble();
        }
        double error = Tensors.maxAbs(actual, expected);
        double storedError = Tensors.maxAbs(actual, Reference.tensors(CASE + ".safetensors").get("nv/0/docstring_3x4").toFloats());
        System.out.printf("rng nv docstring: max |error| %.2e (printed), %.2e (stored)%n", error, storedError);
        assertThat(error).isLessThanOrEqualTo(5e-7); // the docstring prints 8 decimals of floats up to 2.6
        assertThat(storedError).isLessThanOrEqualTo(NV_TOLERANCE);
    }

    @Test
    void torchCpuDrawsMatchTorchManualSeedRandn() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        double worst = 0;
        try (NDManager m = Torch.newManager(Device.cpu())) {
            for (Drawn drawn : drawnCases("cpu")) {
                float[] actual = new TorchCpuStream(drawn.seed()).next(m, drawn.shape()).toFloatArray();
                double error = Tensors.maxAbs(actual, ref.get(drawn.key()).toFloats());
                assertThat(error).as(drawn.key()).isEqualTo(0);
                worst = Math.max(worst, error);
            }
        }
        System.out.printf("rng cpu/*: max |error| %.2e%n", worst);
    }

    @Test
    void secondTorchCpuDrawContinuesTheGenerator() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            TorchCpuStream stream = new TorchCpuStream(42);
            Shape shape = new Shape(4, 8, 8); // 256 numbers, as the first draw (1, 4, 8, 8)
            stream.skip(shape);
            double error = Tensors.maxAbs(stream.next(m, shape).toFloatArray(), ref.get("cpu/42/second_draw_4x8x8").toFloats());
            System.out.printf("rng cpu/42 second draw: max |error| %.2e%n", error);
            assertThat(error).isEqualTo(0);
        }
    }

    /** One stored draw: its tensor name, seed and shape, from the case's list of seeds and shapes. */
    private record Drawn(String key, long seed, Shape shape) {
    }

    private static List<Drawn> drawnCases(String source) {
        JsonNode json = Reference.json(CASE + ".json");
        List<Drawn> drawn = new ArrayList<>();
        for (JsonNode seed : json.path("seeds")) {
            for (JsonNode dims : json.path("shapes")) {
                long[] shape = new long[dims.size()];
                StringBuilder name = new StringBuilder();
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = dims.get(i).asLong();
                    name.append(i == 0 ? "" : "x").append(shape[i]);
                }
                drawn.add(new Drawn(source + "/" + seed.asLong() + "/" + name, seed.asLong(), new Shape(shape)));
            }
        }
        assertThat(drawn).isNotEmpty();
        return drawn;
    }
}
