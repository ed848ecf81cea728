package io.sdfleet.diffusion.upscale;

import io.sdfleet.diffusion.testing.ImagePlanes;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.SeededWeights;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The ESRGAN-family upscalers against A1111 v1.10 + spandrel on the restore reference ({@code restore/cases}). */
class UpscalerReferenceTest {

    private static final int U8_TOLERANCE = 2;

    @Test
    void theWeightGeneratorRebuildsTheReferenceValues() {
        try (SafetensorsFile check = Reference.tensors("restore/manifests/generator_check.safetensors")) {
            for (String tag : check.keys()) {
                String model = tag.substring(0, tag.indexOf('/'));
                String key = tag.substring(tag.indexOf('/') + 1);
                JsonNode entry = entry(model, key);
                float scale = Float.intBitsToFloat(Integer.parseUnsignedInt(entry.get("scale_f32_hex").asText(), 16));
                float offset = Float.intBitsToFloat(Integer.parseUnsignedInt(entry.get("offset_f32_hex").asText(), 16));
                float[] expected = check.get(tag).toFloats();
                assertThat(SeededWeights.values(tag, expected.length, scale, offset)).as(tag).containsExactly(expected);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"upscale_esrgan_4x, esrgan_4x, 64, 23", "upscale_realesrgan_x4plus, realesrgan_x4plus, 64, 23"})
    void fullSizeNetworksUntiledMatchSpandrel(String caseName, String modelId, int filters, int blocks) {
        SafetensorsFile ref = Reference.tensors("restore/cases/" + caseName + ".safetensors");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            RrdbNet net = RrdbNet.load(SeededWeights.of(modelId), m);
            assertThat(net.filters()).isEqualTo(filters);
            assertThat(net.blocks()).isEqualTo(blocks);
            assertThat(net.scale()).isEqualTo(4);
            ModelUpscaler upscaler = new ModelUpscaler(modelId, net, m, 0, 0);
            try (NDManager call = m.newSubManager()) {
                NDArray input = Tensors.load(ref.get("model_input_bgr"), call);
                double inputErr = Tensors.maxAbs(bgrInput(ImagePlanes.hwc(ref.get("input_rgb_u8")), call), ref.get("model_input_bgr"));
                StoredTensor raw = ref.get("model_output_raw_bgr");
                long cpu = processCpuNanos();
                double rawErr = Tensors.maxAbs(net.forward(input), raw);
                double forwardCpu = (processCpuNanos() - cpu) / 1e9;
                double bound = 1e-4 * maxAbs(raw.toFloats());
                PixelPlanes out = upscaler.upscale(ImagePlanes.hwc(ref.get("input_rgb_u8")), 4);
                int u8Err = ImagePlanes.maxDiff(out, ImagePlanes.hwc(ref.get("output_rgb_u8")));
                System.out.printf("%s: input %.3g, raw output %.3g (bound %.3g), u8 %d; one forward at %s: %.1f s"
                                + " process CPU%n", caseName, inputErr, rawErr, bound, u8Err, input.getShape(), forwardCpu);
                assertThat(inputErr).isZero();
                assertThat(rawErr).isLessThanOrEqualTo(bound);
                assertThat(u8Err).isLessThanOrEqualTo(U8_TOLERANCE);
            }
        }
    }

    /** The third released Real-ESRGAN layout: every key of RealESRGAN_x4plus_anime_6B.pth read, 6 blocks found. */
    @Test
    void theAnime6BFileLoadsWithItsSixBlocks() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            RrdbNet net = RrdbNet.load(SeededWeights.of("realesrgan_x4plus_anime_6b"), m);
            assertThat(net.filters()).isEqualTo(64);
            assertThat(net.blocks()).isEqualTo(6);
            assertThat(net.scale()).isEqualTo(4);
        }
    }

    @Test
    void defaultTilingOfAnOldArchFileMatchesA1111() {
        SafetensorsFile ref = Reference.tensors("restore/cases/upscale_tiled_default.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             TensorSource file = CheckpointFiles.open(Reference.file("restore/models/4x-small-oldarch.pth"))) {
            RrdbNet net = RrdbNet.load(file, m);
            assertThat(net.filters()).isEqualTo(16);
            assertThat(net.blocks()).isEqualTo(1);
            ModelUpscaler upscaler = new ModelUpscaler("4x-small-oldarch", net, m, ModelUpscaler.DEFAULT_TILE,
                    ModelUpscaler.DEFAULT_TILE_OVERLAP);
            PixelPlanes input = ImagePlanes.hwc(ref.get("input_rgb_u8"));
            TileGrid grid = TileGrid.split(input, 192, 192, 8);
            assertThat(grid.rows()).extracting(TileGrid.Row::y).containsExactly(0, 8);
            assertThat(grid.rows().get(0).tiles()).extracting(TileGrid.Tile::x).containsExactly(0, 8);
            PixelPlanes out = upscaler.upscale(input, 4);
            int err = ImagePlanes.maxDiff(out, ImagePlanes.hwc(ref.get("output_rgb_u8")));
            System.out.printf("upscale_tiled_default: u8 %d%n", err);
            assertThat(err).isLessThanOrEqualTo(U8_TOLERANCE);
        }
    }

    @Test
    void theHiresFixPathPadsASmallImageIntoOneTileAndResizesWithLanczos() {
        SafetensorsFile ref = Reference.tensors("restore/cases/upscale_hires_fix_path.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             TensorSource file = CheckpointFiles.open(Reference.file("restore/models/RealESRGAN_x4plus_small.pth"))) {
            RrdbNet net = RrdbNet.load(file, m);
            PixelPlanes input = ImagePlanes.hwc(ref.get("input_rgb_u8"));
            ModelUpscaler tiled = new ModelUpscaler("R-ESRGAN 4x+", net, m, 192, 8);
            ModelUpscaler untiled = new ModelUpscaler("R-ESRGAN 4x+", net, m, 0, 0);
            int passErr = ImagePlanes.maxDiff(tiled.pass(input, 2), ImagePlanes.hwc(ref.get("upscaled_4x_tiled_rgb_u8")));
            int untiledErr = ImagePlanes.maxDiff(untiled.pass(input, 2), ImagePlanes.hwc(ref.get("contrast_untiled_4x_rgb_u8")));
            PixelPlanes out = tiled.upscale(input, 2.0);
            if (out.width() != 96 || out.height() != 80) {
                out = Resampler.resize(out, 96, 80, Resampler.Filter.LANCZOS);
            }
            int err = ImagePlanes.maxDiff(out, ImagePlanes.hwc(ref.get("output_rgb_u8")));
            System.out.printf("upscale_hires_fix_path: tiled pass %d, untiled %d, final %d%n", passErr, untiledErr, err);
            assertThat(passErr).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(untiledErr).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(err).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(ImagePlanes.maxDiff(tiled.pass(input, 2), untiled.pass(input, 2)))
                    .as("the black padding of the tile shows near the borders").isGreaterThan(U8_TOLERANCE);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static JsonNode entry(String model, String key) {
        for (JsonNode e : Reference.json("restore/manifests/" + model + ".json").get("tensors")) {
            if (e.get("key").asText().equals(key)) {
                return e;
            }
        }
        throw new AssertionError("no " + key + " in " + model);
    }

    private static NDArray bgrInput(PixelPlanes rgb, NDManager m) {
        float[] values = new float[3 * rgb.height() * rgb.width()];
        int i = 0;
        for (int c = 2; c >= 0; c--) {
            for (int y = 0; y < rgb.height(); y++) {
                for (int x = 0; x < rgb.width(); x++) {
                    values[i++] = (float) (rgb.channels()[c][y][x] / 255.0);
                }
            }
        }
        return m.create(values, new ai.djl.ndarray.types.Shape(1, 3, rgb.height(), rgb.width()));
    }

    private static double maxAbs(float[] v) {
        double max = 0;
        for (float f : v) {
            max = Math.max(max, Math.abs(f));
        }
        return max;
    }
}
