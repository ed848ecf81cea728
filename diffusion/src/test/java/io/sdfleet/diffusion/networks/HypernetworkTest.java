package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.unet.ContextTransform;
import io.sdfleet.diffusion.unet.UNetSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hypernetworks have no reference case: their defining properties instead. A hand-built one-layer linear
 * hypernetwork changes keys and values by exactly (cW^T + b)·strength; strength 0 and zero weights leave the UNet's
 * output bit-identical; unhooking restores it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HypernetworkTest {

    private static final int WIDTH = 64; // the mini model's context width (and its level-2 channels)

    private StableDiffusionModel model;

    @BeforeAll
    void load() {
        model = StableDiffusionModel.load(Reference.file("features/models/mini_sd1.safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void aOneLayerLinearHypernetworkAddsItsLinearMapTimesTheStrength() {
        Random random = new Random(7);
        float[] wk = gaussian(random, WIDTH * WIDTH, 0.1f);
        float[] bk = gaussian(random, WIDTH, 0.1f);
        float[] wv = gaussian(random, WIDTH * WIDTH, 0.1f);
        float[] bv = gaussian(random, WIDTH, 0.1f);
        float[] context = gaussian(random, 3 * WIDTH, 1f);
        float strength = 0.7f;
        try (NDManager m = model.manager().newSubManager()) {
            Hypernetwork h = HypernetworkFile.fromData(oneLayer(wk, bk, wv, bv, "relu"), "h", m, DataType.FLOAT32);
            ContextTransform.Sources s = new HypernetworkStack(List.of(new HypernetworkStack.Active(h, strength)))
                    .apply(m.create(context, new Shape(1, 3, WIDTH)));

            // relu is not applied after the last (here the only) layer: activate_output is False.
            assertThat(Tensors.maxAbs(s.forKeys().toFloatArray(), affine(context, wk, bk, strength))).isLessThan(1e-5);
            assertThat(Tensors.maxAbs(s.forValues().toFloatArray(), affine(context, wv, bv, strength))).isLessThan(1e-5);
            assertThat(new HypernetworkStack(List.of(new HypernetworkStack.Active(h, strength)))
                    .apply(m.zeros(new Shape(1, 3, 32)))).as("a width the hypernetwork does not cover").isNull();
        }
    }

    @Test
    void zeroStrengthOrZeroWeightsLeaveTheUNetBitIdenticalAndAPlainCallAfterwardsIsPlain() {
        SafetensorsFile ref = Reference.tensors("features/cases/txt2img_base_A.safetensors");
        Random random = new Random(11);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = Tensors.load(ref.get("noise"), m);
            NDArray t = m.create(new float[] {500f});
            NDArray cond = Tensors.load(ref.get("cond"), m);
            float[] plain = model.unet().predict(x, t, cond).toFloatArray();

            float[] zeros = new float[WIDTH * WIDTH];
            Hypernetwork zero = HypernetworkFile.fromData(oneLayer(zeros, new float[WIDTH], zeros, new float[WIDTH],
                    "linear"), "zero", m, DataType.FLOAT32);
            Hypernetwork real = HypernetworkFile.fromData(oneLayer(gaussian(random, WIDTH * WIDTH, 0.2f),
                    gaussian(random, WIDTH, 0.2f), gaussian(random, WIDTH * WIDTH, 0.2f), gaussian(random, WIDTH, 0.2f),
                    "linear"), "real", m, DataType.FLOAT32);

            assertThat(model.unet().predict(x, t, cond, with(real, 0f)).toFloatArray()).as("strength 0")
                    .containsExactly(plain);
            assertThat(model.unet().predict(x, t, cond, with(zero, 1f)).toFloatArray()).as("zero weights")
                    .containsExactly(plain);
            double change = Tensors.maxAbs(model.unet().predict(x, t, cond, with(real, 1f)).toFloatArray(), plain);
            System.out.printf("hypernetwork at strength 1 moves eps by up to %.3g%n", change);
            assertThat(change).isGreaterThan(1e-3);
            assertThat(model.unet().predict(x, t, cond).toFloatArray()).as("plain call afterwards")
                    .containsExactly(plain);
        }
    }

    /** A plain run's UNet settings with one hypernetwork at {@code strength}. */
    private UNetSettings with(Hypernetwork hypernetwork, float strength) {
        return new UNetSettings(PaddingMode.ZEROS, model.unet().attention(),
                new HypernetworkStack(List.of(new HypernetworkStack.Active(hypernetwork, strength))));
    }

    @Test
    void anUnknownHypernetworkNamesTheFileThatWasLookedFor() {
        Networks networks = new Networks(model, new NetworkDirectories(Optional.empty(), Optional.empty(),
                Optional.of(Reference.file("features/extra"))));
        assertThatThrownBy(() -> networks.activate("a cat <hypernet:nowhere:0.5>"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nowhere.pt");
        assertThatThrownBy(() -> networks.activate("a cat <lora:nowhere>"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nowhere.safetensors");
    }

    /** A1111's layout for layer_structure [1, 1]: {width: (keys {linear.0.*}, values {linear.0.*}), options}. */
    private static Map<Object, Object> oneLayer(float[] wk, float[] bk, float[] wv, float[] bv, String activation) {
        Map<Object, Object> data = new LinkedHashMap<>();
        data.put((long) WIDTH, List.of(linear(wk, bk), linear(wv, bv)));
        data.put("layer_structure", List.of(1.0, 1.0));
        data.put("activation_func", activation);
        data.put("is_layer_norm", false);
        data.put("use_dropout", false);
        data.put("activate_output", false);
        data.put("name", "test");
        return data;
    }

    private static Map<Object, Object> linear(float[] weight, float[] bias) {
        return Map.of("linear.0.weight", stored("w", weight, WIDTH, WIDTH), "linear.0.bias", stored("b", bias, WIDTH));
    }

    private static StoredTensor stored(String name, float[] values, long... shape) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        return new StoredTensor(name, StoredType.F32, shape, bytes.flip());
    }

    /** c + (c Wᵀ + b)·s, row by row. */
    private static float[] affine(float[] c, float[] w, float[] b, float s) {
        int rows = c.length / WIDTH;
        float[] out = new float[c.length];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < WIDTH; o++) {
                double sum = b[o];
                for (int i = 0; i < WIDTH; i++) {
                    sum += (double) c[r * WIDTH + i] * w[o * WIDTH + i];
                }
                out[r * WIDTH + o] = (float) (c[r * WIDTH + o] + sum * s);
            }
        }
        return out;
    }

    private static float[] gaussian(Random random, int n, float std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian() * std;
        }
        return out;
    }
}
