package io.sdfleet.diffusion.sampling;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.noise.NoiseStream;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.request.Noise;
import io.sdfleet.request.RngSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties of A1111's ImageRNG that need no reference: ENSD, seed resize, batches and the plain special case. */
class ImageNoiseTest {

    private static final Shape PER_IMAGE = new Shape(4, 8, 8);
    private static final long[] SEEDS = {7, 8};
    private static final long ENSD = 31337;

    @Test
    void ensdZeroIsExactlyThePlainSeededNoise() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            ImageNoise noise = ImageNoise.plain(Noise.of(0).withEtaNoiseSeedDelta(0), SEEDS);
            SeededNoise plain = new SeededNoise(SEEDS);
            assertSame(noise.initial(m, PER_IMAGE), SeededNoise.initial(m, SEEDS, PER_IMAGE));
            NDArray like = m.zeros(new Shape(2, 4, 8, 8));
            for (int step = 0; step < 3; step++) {
                assertSame(noise.next(like, 1, 0.5f), plain.next(like, 1, 0.5f));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RngSource.class)
    void ensdReseedsOnlyTheStepNoise(RngSource source) {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Noise options = Noise.of(0).withSource(source);
            ImageNoise withEnsd = ImageNoise.plain(options.withEtaNoiseSeedDelta(ENSD), SEEDS);
            ImageNoise without = ImageNoise.plain(options, SEEDS);
            assertSame(withEnsd.initial(m, PER_IMAGE), without.initial(m, PER_IMAGE));

            NDArray like = m.zeros(new Shape(2, 4, 8, 8));
            NoiseStream[] reseeded = {NoiseStream.of(source, SEEDS[0] + ENSD), NoiseStream.of(source, SEEDS[1] + ENSD)};
            for (int step = 0; step < 3; step++) {
                NDArray draw = withEnsd.next(like, 1, 0.5f);
                assertSame(draw.get(0), reseeded[0].next(m, PER_IMAGE));
                assertSame(draw.get(1), reseeded[1].next(m, PER_IMAGE));
                assertThat(draw.toFloatArray()).isNotEqualTo(without.next(like, 1, 0.5f).toFloatArray());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RngSource.class)
    void stepNoiseContinuesEachSeedsGeneratorAfterTheInitialDraw(RngSource source) {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            ImageNoise noise = ImageNoise.plain(Noise.of(0).withSource(source), SEEDS);
            NoiseStream second = NoiseStream.of(source, SEEDS[1]);
            assertSame(noise.initial(m, PER_IMAGE).get(1), second.next(m, PER_IMAGE));
            NDArray like = m.zeros(new Shape(2, 4, 8, 8));
            for (int step = 0; step < 3; step++) {
                assertSame(noise.next(like, 1, 0.5f).get(1), second.next(m, PER_IMAGE));
            }
        }
    }

    @Test
    void seedResizeFromTheSameSizeIsPlain() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Noise options = Noise.of(0).withSource(RngSource.NV);
            ImageNoise resized = new ImageNoise(options.withSeedResizeFrom(64, 64), SEEDS, new long[0]);
            assertSame(resized.initial(m, PER_IMAGE), ImageNoise.plain(options, SEEDS).initial(m, PER_IMAGE));
        }
    }

    @Test
    void seedResizeFromASmallerSizePastesThatNoiseCentredIntoTheSeedsFullDraw() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Noise options = Noise.of(0).withSource(RngSource.NV).withSeedResizeFrom(32, 48); // 4 wide, 6 high
            NDArray noise = new ImageNoise(options, SEEDS, new long[0]).initial(m, PER_IMAGE).get(0);
            NDArray small = NoiseStream.of(RngSource.NV, SEEDS[0]).next(m, new Shape(4, 6, 4));
            NDArray full = NoiseStream.of(RngSource.NV, SEEDS[0]).next(m, PER_IMAGE);
            assertSame(noise.get(new NDIndex(":, 1:7, 2:6")), small);
            assertSame(noise.get(new NDIndex(":, 0, :")), full.get(new NDIndex(":, 0, :")));
            assertSame(noise.get(new NDIndex(":, :, 0:2")), full.get(new NDIndex(":, :, 0:2")));
            assertSame(noise.get(new NDIndex(":, 7, :")), full.get(new NDIndex(":, 7, :")));
        }
    }

    @Test
    void seedResizeFromALargerSizeKeepsTheMiddleOfThatNoise() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Noise options = Noise.of(0).withSeedResizeFrom(80, 96); // CPU; 10 wide, 12 high
            NDArray noise = new ImageNoise(options, SEEDS, new long[0]).initial(m, PER_IMAGE).get(1);
            NDArray large = NoiseStream.of(RngSource.CPU, SEEDS[1]).next(m, new Shape(4, 12, 10));
            assertSame(noise, large.get(new NDIndex(":, 2:10, 1:9")));
        }
    }

    @Test
    void seedResizeLeavesTheStepNoiseAlone() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            ImageNoise resized = new ImageNoise(Noise.of(0).withSeedResizeFrom(32, 48), SEEDS, new long[0]);
            resized.initial(m, PER_IMAGE);
            NDArray like = m.zeros(new Shape(2, 4, 8, 8));
            assertSame(resized.next(like, 1, 0.5f), new SeededNoise(SEEDS).next(like, 1, 0.5f));
        }
    }

    @Test
    void eachImageOfAVariedBatchIsItsOwnSeedAndVariationSeedAlone() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Noise options = Noise.of(0).withSource(RngSource.NV).withVariation(100, 0.25);
            long[] subseeds = {100, 101};
            NDArray batch = new ImageNoise(options, new long[] {5, 5}, subseeds).initial(m, PER_IMAGE);
            for (int k = 0; k < 2; k++) {
                NDArray alone = new ImageNoise(options, new long[] {5}, new long[] {subseeds[k]}).initial(m, PER_IMAGE);
                assertSame(batch.get(k), alone.get(0));
            }
            assertThat(batch.get(0).toFloatArray()).isNotEqualTo(batch.get(1).toFloatArray());
        }
    }

    @Test
    void variationStrengthZeroIsPlainAndOneIsTheVariationSeedsNoise() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Noise nv = Noise.of(0).withSource(RngSource.NV);
            NDArray none = new ImageNoise(nv.withVariation(9, 0), new long[] {5}, new long[] {9}).initial(m, PER_IMAGE);
            assertSame(none, ImageNoise.plain(nv, new long[] {5}).initial(m, PER_IMAGE));
            NDArray all = new ImageNoise(nv.withVariation(9, 1), new long[] {5}, new long[] {9}).initial(m, PER_IMAGE);
            double error = maxAbs(all.get(0), NoiseStream.of(RngSource.NV, 9).next(m, PER_IMAGE));
            assertThat(error).isLessThan(1e-5); // sin(ω)/sin(ω) up to rounding
        }
    }

    private static void assertSame(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        assertThat(actual.toFloatArray()).containsExactly(expected.toFloatArray());
    }

    private static double maxAbs(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
