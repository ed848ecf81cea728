package io.sdfleet.diffusion.extras;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;
import io.sdfleet.diffusion.restore.restorer.FaceRestorer;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary;
import io.sdfleet.diffusion.restore.FaceRestorationNetwork;
import io.sdfleet.diffusion.restore.restorer.FaceRestorers;
import io.sdfleet.diffusion.upscale.Resizer;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.request.Extras;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A1111's Extras order, blends and infotext, with the built-in upscalers and a stand-in face restorer. */
class PostprocessingTest {

    private static PixelPlanes pattern(int w, int h) {
        int[][][] c = new int[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                c[0][y][x] = (x * 37 + y * 11) % 256;
                c[1][y][x] = (x * y * 7) % 256;
                c[2][y][x] = (255 - x * 9) & 0xff;
            }
        }
        return new PixelPlanes(c);
    }

    private static Extras extras(int mode, double scale, boolean given, int w, int h, boolean crop, String up1,
                                 String up2, double vis2, double gfpgan, double codeformer, double weight) {
        return new Extras(List.of("-"), List.of(), mode, scale, given, w, h, crop, up1, up2, vis2, gfpgan, codeformer,
                weight);
    }

    @Test
    void pilBlendTruncatesInFloat() {
        PixelPlanes a = new PixelPlanes(new int[][][] {{{10, 200, 0}}});
        PixelPlanes b = new PixelPlanes(new int[][][] {{{20, 100, 255}}});
        // 10 + 0.35·10 = 13.5 → 13; 200 − 35 = 165; 0.35·255 = 89.25 → 89
        assertThat(ImageBlend.blend(a, b, 0.35).channels()[0][0]).containsExactly(13, 165, 89);
    }

    @Test
    void upscaleByBlendsUpscaler2OfTheOriginalAndWritesA1111sInfotext() {
        PixelPlanes input = pattern(20, 12);
        try (NDManager m = NDManager.newBaseManager()) {
            Postprocessing.Result r = new Postprocessing(UpscalerLibrary.none(), FaceRestorerLibrary.none(), m)
                    .run(input, extras(0, 2, false, 512, 512, true, "lanczos", "Nearest", 0.4, 0, 0, 0), 1);
            PixelPlanes expected = ImageBlend.blend(Resizer.LANCZOS.upscale(input, 2), Resizer.NEAREST.upscale(input, 2), 0.4);
            assertThat(r.image().channels()).isDeepEqualTo(expected.channels());
            assertThat(r.infotext()).isEqualTo("Postprocess upscale by: 2, Postprocess upscaler: Lanczos,"
                    + " Postprocess upscaler 2: Nearest");
        }
    }

    @Test
    void upscaleToCentresOnABlackCanvasWhenCropping() {
        PixelPlanes input = pattern(16, 8);
        try (NDManager m = NDManager.newBaseManager()) {
            Postprocessing.Result r = new Postprocessing(UpscalerLibrary.none(), FaceRestorerLibrary.none(), m)
                    .run(input, extras(1, 2, true, 24, 24, true, "Lanczos", "None", 0, 0, 0, 0), 1);
            // scale max(24/16, 24/8) = 3 → 48x24, pasted at (12 - 24, 12 - 12): the middle 24 columns
            PixelPlanes up = Resampler.resize(input, 48, 24, Resampler.Filter.LANCZOS);
            assertThat(r.image().width()).isEqualTo(24);
            assertThat(r.image().height()).isEqualTo(24);
            assertThat(r.image().channels()[0][5][0]).isEqualTo(up.channels()[0][5][12]);
            assertThat(r.image().channels()[1][23][23]).isEqualTo(up.channels()[1][23][35]);
            assertThat(r.infotext()).isEqualTo("Postprocess upscale to: 24x24, Postprocess crop to: 24x24,"
                    + " Postprocess upscaler: Lanczos");
        }
    }

    @Test
    void noUpscaler1MeansNoUpscaleAtAllAndAGivenScaleReadsAsAFloat() {
        PixelPlanes input = pattern(8, 8);
        try (NDManager m = NDManager.newBaseManager()) {
            Postprocessing p = new Postprocessing(UpscalerLibrary.none(), FaceRestorerLibrary.none(), m);
            Postprocessing.Result none = p.run(input, extras(0, 2, true, 512, 512, true, "None", "Lanczos", 1, 0, 0, 0), 1);
            assertThat(none.image()).isSameAs(input);
            assertThat(none.infotext()).isEmpty();
            assertThat(p.run(input, extras(0, 2, true, 512, 512, true, "Nearest", "None", 0, 0, 0, 0), 1).infotext())
                    .isEqualTo("Postprocess upscale by: 2.0, Postprocess upscaler: Nearest");
        }
    }

    @Test
    void gfpganThenCodeFormerEachBlendedAtItsVisibilityThroughTheSeam() {
        PixelPlanes input = pattern(8, 8);
        List<String> calls = new ArrayList<>();
        FaceRestorers inverting = (name, manager) -> new FaceRestorer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void close() {
            }

            @Override
            public PixelPlanes restore(PixelPlanes rgb, FaceRestorationNetwork.RestoreOptions options) {
                calls.add(name + " w=" + options.codeFormerWeight() + " seed=" + options.noiseSeed());
                int[][][] c = new int[3][rgb.height()][rgb.width()];
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < rgb.height(); y++) {
                        for (int x = 0; x < rgb.width(); x++) {
                            c[ch][y][x] = 255 - rgb.channels()[ch][y][x];
                        }
                    }
                }
                return new PixelPlanes(c);
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            Postprocessing.Result r = new Postprocessing(UpscalerLibrary.none(), inverting, m)
                    .run(input, extras(0, 2, false, 512, 512, true, "None", "None", 0, 0.5, 1, 0.25), 77);
            assertThat(calls).containsExactly("GFPGAN w=0.25 seed=77", "CodeFormer w=0.25 seed=77");
            int v = input.channels()[0][3][5];
            int afterGfpgan = (int) (v + 0.5f * ((255 - v) - v));
            assertThat(r.image().channels()[0][3][5]).isEqualTo(255 - afterGfpgan);
            assertThat(r.infotext()).isEqualTo("GFPGAN visibility: 0.5, CodeFormer visibility: 1.0, CodeFormer weight: 0.25");
        }
    }

    @Test
    void aRestorerWithoutItsFilesNamesThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            Postprocessing p = new Postprocessing(UpscalerLibrary.none(), FaceRestorerLibrary.none(), m);
            assertThatThrownBy(() -> p.run(pattern(8, 8), extras(0, 2, false, 512, 512, true, "None", "None", 0, 0, 1, 0), 1))
                    .isInstanceOf(FaceRestorerLibrary.MissingFaceRestorerException.class)
                    .hasMessageContaining("face restoration with CodeFormer needs").hasMessageContaining("codeformer-v0.1.0.pth");
        }
    }

    @Test
    void aModelUpscaleReportsEachTileAndGivesTheSameImage() {
        PixelPlanes input = pattern(40, 40);
        UpscalerLibrary library = UpscalerLibrary.none()
                .withFile("4x-small-oldarch", io.sdfleet.diffusion.testing.Reference.file("restore/models/4x-small-oldarch.pth"))
                .withTiling(16, 4);
        Extras e = extras(0, 2, false, 512, 512, true, "4x-small-oldarch", "None", 0, 0, 0, 0);
        int[] tiles = {0};
        try (NDManager m = NDManager.newBaseManager()) {
            PixelPlanes reported = new Postprocessing(library, FaceRestorerLibrary.none(), m, () -> tiles[0]++)
                    .run(input, e, 1).image();
            PixelPlanes plain = new Postprocessing(library, FaceRestorerLibrary.none(), m).run(input, e, 1).image();
            // split_grid(40, 16, 16, 4): ceil(36 / 12) = 3 columns and rows
            assertThat(tiles[0]).isEqualTo(9);
            assertThat(reported.channels()).isDeepEqualTo(plain.channels());
            assertThat(reported.width()).isEqualTo(80);
        }
    }
}
