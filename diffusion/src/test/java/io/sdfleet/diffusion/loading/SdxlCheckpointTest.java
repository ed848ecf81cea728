package io.sdfleet.diffusion.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.clip.OpenClipTextModel;
import io.sdfleet.diffusion.model.NoisePredictor.Prediction;
import io.sdfleet.diffusion.nn.SdxlLayout;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.sdxl.SdxlConditioner;
import io.sdfleet.diffusion.sdxl.SdxlSize;
import io.sdfleet.diffusion.sdxl.SdxlTextEncoders;
import io.sdfleet.diffusion.offload.MemoryMode;
import io.sdfleet.diffusion.nn.SyntheticTensorSource;
import io.sdfleet.diffusion.nn.SyntheticTensorSource.TensorSpec;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SDXL single-file checkpoints: the reference's mini base and refiner load with every key consumed and are told
 * apart as A1111 does; a checkpoint with exactly the keys and shapes of the released base 1.0 loads too.
 */
class SdxlCheckpointTest {

    private static final double TOLERANCE = 1e-4;

    private static StableDiffusionModel loadMini(String name) {
        return StableDiffusionModel.load(Reference.file("sdxl/models/" + name + ".safetensors"),
                ModelOptions.cpu(null));
    }

    @Test
    void theMiniBaseLoadsAsSdxlWithBothTextTowers() {
        SafetensorsFile unetCase = Reference.tensors("sdxl/cases/unet.safetensors");
        SafetensorsFile conditioning = Reference.tensors("sdxl/cases/conditioning.safetensors");
        try (StableDiffusionModel model = loadMini("mini_sdxl_base")) { // load() fails on any key left over
            assertThat(model.type()).isEqualTo(ModelType.SDXL);
            assertThat(model.vae().scaleFactor()).isEqualTo(AutoencoderKL.SDXL_SCALE_FACTOR);
            assertThat(model.alphasCumprod()).as("SDXL files carry no schedule").isEmpty();
            assertThat(model.unet().admInChannels()).isEqualTo(1568);
            assertThat(model.unet().contextDim()).isEqualTo(48);
            assertThat(model.unet().prediction()).isEqualTo(Prediction.EPSILON);
            SdxlTextEncoders text = model.sdxlTextEncoders().orElseThrow();
            ClipTextModel clipL = text.clipL().orElseThrow().model();
            assertThat(model.textEncoder()).isSameAs(clipL);
            assertThat(model.textModel()).isSameAs(clipL);
            assertThat(clipL.width()).isEqualTo(16);
            assertThat(text.bigG().width()).isEqualTo(32);

            try (NDManager call = model.manager().newSubManager()) {
                // the UNet as the loader built it (heads from the sidecar)
                double eps = Tensors.maxAbs(model.unet().predict(
                        Tensors.load(unetCase.get("base_a.x"), call), Tensors.load(unetCase.get("base_a.t"), call),
                        Tensors.load(unetCase.get("base_a.context"), call),
                        Tensors.load(unetCase.get("base_a.y"), call)), unetCase.get("base_a.eps"));

                // the towers' raw states (the conditioning built on them is another component's)
                NDArray lIds = Tensors.load(conditioning.get("base_pos_64.clip_l.tokens"), call);
                NDArray lEmbeddings = clipL.tokenEmbeddings(lIds);
                double lPenultimate = Tensors.maxAbs(clipL.hiddenState(lEmbeddings, clipL.layerCount() - 1),
                        Tensors.load(conditioning.get("base_pos_64.clip_l.hidden_states"), call)
                                .get(clipL.layerCount() - 1));
                double lFinal = Tensors.maxAbs(clipL.encode(lIds, 1),
                        conditioning.get("base_pos_64.clip_l.last_hidden_state_after_final_ln"));
                OpenClipTextModel bigG = text.bigG().model();
                NDArray gIds = Tensors.load(conditioning.get("base_pos_64.clip_g.tokens"), call);
                double gPenultimate = Tensors.maxAbs(bigG.hiddenState(gIds, bigG.layerCount() - 1),
                        conditioning.get("base_pos_64.clip_g.penultimate"));
                NDArray last = bigG.hiddenState(gIds, bigG.layerCount());
                double gLast = Tensors.maxAbs(last, conditioning.get("base_pos_64.clip_g.last"));
                double gFinal = Tensors.maxAbs(bigG.finalLayerNorm(last),
                        conditioning.get("base_pos_64.clip_g.last_after_ln_final"));
                System.out.printf("mini SDXL base through the loader, max-abs: UNet eps %.3g; CLIP-L penultimate "
                        + "%.3g, last+final_ln %.3g; bigG penultimate %.3g, last %.3g, ln_final(last) %.3g%n",
                        eps, lPenultimate, lFinal, gPenultimate, gLast, gFinal);
                assertThat(eps).isLessThan(TOLERANCE);
                assertThat(lPenultimate).isLessThan(TOLERANCE);
                assertThat(lFinal).isLessThan(TOLERANCE);
                assertThat(gPenultimate).isLessThan(TOLERANCE);
                assertThat(gLast).isLessThan(TOLERANCE);
                assertThat(gFinal).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void theMiniRefinerLoadsAsTheRefinerWithBigGAlone() {
        SafetensorsFile unetCase = Reference.tensors("sdxl/cases/unet.safetensors");
        try (StableDiffusionModel model = loadMini("mini_sdxl_refiner")) {
            assertThat(model.type()).isEqualTo(ModelType.SDXL_REFINER);
            assertThat(model.vae().scaleFactor()).isEqualTo(AutoencoderKL.SDXL_SCALE_FACTOR);
            assertThat(model.alphasCumprod()).isEmpty();
            assertThat(model.unet().admInChannels()).isEqualTo(1312);
            assertThat(model.unet().contextDim()).isEqualTo(32);
            SdxlTextEncoders text = model.sdxlTextEncoders().orElseThrow();
            assertThat(text.clipL()).isEmpty();
            assertThat(model.textEncoder()).isSameAs(text.bigG().model());
            try (NDManager call = model.manager().newSubManager()) {
                double eps = Tensors.maxAbs(model.unet().predict(
                        Tensors.load(unetCase.get("refiner_a.x"), call),
                        Tensors.load(unetCase.get("refiner_a.t"), call),
                        Tensors.load(unetCase.get("refiner_a.context"), call),
                        Tensors.load(unetCase.get("refiner_a.y"), call)), unetCase.get("refiner_a.eps"));
                System.out.printf("mini SDXL refiner through the loader, UNet eps max-abs %.3g%n", eps);
                assertThat(eps).isLessThan(TOLERANCE);
            }
        }
    }

    /** fp16 weights (the released files' precision): every SDXL op takes half; fp16's precision only. */
    @Test
    void theMiniBaseRunsWithFp16Weights() {
        SafetensorsFile unetCase = Reference.tensors("sdxl/cases/unet.safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(
                Reference.file("sdxl/models/mini_sdxl_base.safetensors"),
                ModelOptions.cpu(null).withDevice(Device.cpu(), DataType.FLOAT16))) {
            assertThat(model.unet().dtype()).isEqualTo(DataType.FLOAT16);
            try (NDManager call = model.manager().newSubManager()) {
                NDArray eps = model.unet().predict(Tensors.load(unetCase.get("base_a.x"), call),
                        Tensors.load(unetCase.get("base_a.t"), call), Tensors.load(unetCase.get("base_a.context"), call),
                        Tensors.load(unetCase.get("base_a.y"), call));
                assertThat(eps.getDataType()).isEqualTo(DataType.FLOAT32);
                double err = Tensors.maxAbs(eps, unetCase.get("base_a.eps"));
                System.out.printf("mini SDXL base, fp16 weights: UNet eps max-abs %.3g%n", err);
                assertThat(err).isLessThan(0.05);
            }
        }
    }

    /** A bf16 file (fp16 weights rounded to bf16, F32 and I64 kept) loads with every key consumed and runs. */
    @Test
    void aBf16FileOfTheMiniBaseLoadsAndRuns(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mini_sdxl_base_bf16.safetensors");
        Files.copy(Reference.file("sdxl/models/mini_sdxl_base.json"), dir.resolve("mini_sdxl_base_bf16.json"));
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile fp16 = Reference.tensors("sdxl/models/mini_sdxl_base.safetensors")) {
            for (String key : fp16.keys()) {
                StoredTensor t = fp16.get(key);
                if (t.type() != StoredType.F16) {
                    writer.put(t);
                    continue;
                }
                float[] values = t.toFloats();
                ByteBuffer bf16 = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    int bits = Float.floatToIntBits(v);
                    bf16.putShort((short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16)); // round to nearest even
                }
                writer.put(new StoredTensor(key, StoredType.BF16, t.shape(), bf16.flip()));
            }
        }
        writer.write(file);
        SafetensorsFile unetCase = Reference.tensors("sdxl/cases/unet.safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(file, ModelOptions.cpu(null));
             NDManager call = model.manager().newSubManager()) {
            assertThat(model.type()).isEqualTo(ModelType.SDXL);
            double err = Tensors.maxAbs(model.unet().predict(Tensors.load(unetCase.get("base_a.x"), call),
                    Tensors.load(unetCase.get("base_a.t"), call), Tensors.load(unetCase.get("base_a.context"), call),
                    Tensors.load(unetCase.get("base_a.y"), call)), unetCase.get("base_a.eps"));
            System.out.printf("mini SDXL base as bf16: UNet eps max-abs %.3g%n", err);
            assertThat(err).isLessThan(0.1); // bf16 keeps 8 bits of mantissa: the weights themselves moved
        }
    }

    /** LOWVRAM moves CLIP-L (under the conditioner's prefix) and the UNet blocks; offloaded weights refuse reads. */
    @Test
    void theMiniBaseRunsInLowvramAsInPlainMode() {
        SafetensorsFile unetCase = Reference.tensors("sdxl/cases/unet.safetensors");
        SafetensorsFile conditioning = Reference.tensors("sdxl/cases/conditioning.safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(
                Reference.file("sdxl/models/mini_sdxl_base.safetensors"),
                ModelOptions.cpu(null).withMemoryMode(MemoryMode.LOWVRAM))) {
            assertThat(model.offloader()).isPresent();
            try (NDManager call = model.manager().newSubManager()) {
                double eps = Tensors.maxAbs(model.unet().predict(Tensors.load(unetCase.get("base_a.x"), call),
                        Tensors.load(unetCase.get("base_a.t"), call), Tensors.load(unetCase.get("base_a.context"), call),
                        Tensors.load(unetCase.get("base_a.y"), call)), unetCase.get("base_a.eps"));
                double clipL = Tensors.maxAbs(model.textModel().encode(
                        Tensors.load(conditioning.get("base_pos_64.clip_l.tokens"), call), 1),
                        conditioning.get("base_pos_64.clip_l.last_hidden_state_after_final_ln"));
                System.out.printf("mini SDXL base in LOWVRAM max-abs: UNet eps %.3g, CLIP-L %.3g%n", eps, clipL);
                assertThat(eps).isLessThan(TOLERANCE);
                assertThat(clipL).isLessThan(TOLERANCE);
            }
        }
    }

    /**
     * The loaded model end to end up to the UNet: its towers through the SDXL conditioner (the prompt of
     * {@code conditioning.<model>_pos_64}), then its UNet on that crossattn / vector, against the UNet case built
     * from the same conditioning.
     */
    @ParameterizedTest
    @CsvSource({"mini_sdxl_base, base_pos_64, base_a", "mini_sdxl_refiner, refiner_pos_64, refiner_a"})
    void theLoadedTowersConditionTheLoadedUNetAsA1111(String mini, String conditioningCase, String unetCase) {
        SafetensorsFile unetRef = Reference.tensors("sdxl/cases/unet.safetensors");
        SafetensorsFile condRef = Reference.tensors("sdxl/cases/conditioning.safetensors");
        JsonNode c = null;
        for (JsonNode entry : Reference.json("sdxl/cases/conditioning.json").path("cases")) {
            if (entry.path("name").asText().equals(conditioningCase)) {
                c = entry;
            }
        }
        assertThat(c).as(conditioningCase).isNotNull();
        try (StableDiffusionModel model = StableDiffusionModel.load(
                Reference.file("sdxl/models/" + mini + ".safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
             NDManager call = model.manager().newSubManager()) {
            SdxlConditioner conditioner = new SdxlConditioner(model.sdxlTextEncoders().orElseThrow(), model.tokenizer());
            Conditioning cond = conditioner.encode(call, c.path("prompt").asText(), false,
                    SdxlSize.forImage(c.path("width").asInt(), c.path("height").asInt()));
            double crossattn = Tensors.maxAbs(cond.crossattn(), condRef.get(conditioningCase + ".crossattn"));
            double vector = Tensors.maxAbs(cond.vector(), condRef.get(conditioningCase + ".vector"));
            double eps = Tensors.maxAbs(model.unet().predict(Tensors.load(unetRef.get(unetCase + ".x"), call),
                    Tensors.load(unetRef.get(unetCase + ".t"), call), cond.crossattn(), cond.vector()),
                    unetRef.get(unetCase + ".eps"));
            System.out.printf("%s loaded, conditioned and run, max-abs: crossattn %.3g, vector %.3g, UNet eps %.3g%n",
                    mini, crossattn, vector, eps);
            assertThat(crossattn).isLessThan(TOLERANCE);
            assertThat(vector).isLessThan(TOLERANCE);
            assertThat(eps).isLessThan(TOLERANCE);
        }
    }

    @Test
    void anSd1CheckpointStaysSd1() {
        try (StableDiffusionModel model = StableDiffusionModel.load(Reference.file("mini_sd15_fp32.safetensors"),
                ModelOptions.cpu(null))) {
            assertThat(model.type()).isEqualTo(ModelType.SD1);
            assertThat(model.vae().scaleFactor()).isEqualTo(AutoencoderKL.SD_SCALE_FACTOR);
            assertThat(model.sdxlTextEncoders()).isEmpty();
            assertThat(model.unet().admInChannels()).isZero();
        }
    }

    /**
     * Every key and shape of the released {@code sd_xl_base_1.0.safetensors} (the reference's manifest), as
     * synthesised tensors that share a few buffers (no 3.5 G values): detected as SDXL, every key consumed.
     */
    @Test
    void aCheckpointWithTheReleasedBaseLayoutLoadsWithNoKeyLeftOver(@TempDir Path dir) {
        JsonNode manifest = Reference.json("sdxl/manifest_sdxl_base_1.0.json");
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        for (JsonNode entry : manifest.path("entries")) {
            long[] shape = new long[entry.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = entry.path("shape").get(i).asLong();
            }
            StoredType type = entry.path("dtype").asText().equals("I64") ? StoredType.I64 : null;
            specs.put(entry.path("key").asText(), new TensorSpec(shape, type));
        }
        assertThat(specs).hasSize(manifest.path("tensors").asInt());
        assertThat(ModelType.detect(specs.keySet())).isEqualTo(ModelType.SDXL);
        long start = System.nanoTime();
        try (StableDiffusionModel model = StableDiffusionModel.load(new SyntheticTensorSource(specs, StoredType.F32, 1),
                dir.resolve("sd_xl_base_1.0.safetensors"), ModelOptions.cpu(null))) {
            System.out.printf("synthetic SDXL base 1.0 layout (%d tensors) loaded in %.1f s%n", specs.size(),
                    (System.nanoTime() - start) / 1e9);
            assertThat(model.type()).isEqualTo(ModelType.SDXL);
            assertThat(model.unet().modelChannels()).isEqualTo(320);
            assertThat(model.unet().contextDim()).isEqualTo(2048);
            assertThat(model.unet().admInChannels()).isEqualTo(2816);
            SdxlTextEncoders text = model.sdxlTextEncoders().orElseThrow();
            assertThat(text.clipL().orElseThrow().width()).isEqualTo(768);
            assertThat(text.clipL().orElseThrow().model().layerCount()).isEqualTo(12);
            assertThat(text.bigG().width()).isEqualTo(1280);
            assertThat(text.bigG().model().layerCount()).isEqualTo(32);
            assertThat(text.contextWidth()).isEqualTo(model.unet().contextDim());
            assertThat(model.vae().scaleFactor()).isEqualTo(AutoencoderKL.SDXL_SCALE_FACTOR);
            // every float tensor is a loaded parameter; the skipped ones are the rule's
            assertThat(model.parameterKeys()).hasSize(specs.size() - 3); // position_ids, logit_scale, denoiser.sigmas
        }
    }

    /** The refiner 1.0's layout (no manifest: generated from sd_xl_refiner.yaml's numbers) loads as the refiner. */
    @Test
    void theGeneratedRefinerLayoutLoadsAsTheRefiner(@TempDir Path dir) {
        try (StableDiffusionModel model = StableDiffusionModel.load(
                new SyntheticTensorSource(SdxlLayout.tensors(SdxlLayout.REFINER), StoredType.F32, 2),
                dir.resolve("sd_xl_refiner_1.0.safetensors"), ModelOptions.cpu(null))) {
            assertThat(model.type()).isEqualTo(ModelType.SDXL_REFINER);
            assertThat(model.unet().modelChannels()).isEqualTo(384);
            assertThat(model.unet().contextDim()).isEqualTo(1280);
            assertThat(model.unet().admInChannels()).isEqualTo(2560);
            assertThat(model.sdxlTextEncoders().orElseThrow().clipL()).isEmpty();
            assertThat(model.sdxlTextEncoders().orElseThrow().bigG().model().layerCount()).isEqualTo(32);
        }
    }
}
