package io.sdfleet.diffusion.noise;

/**
 * Standard normal floats from Philox as A1111's modules/rng_philox.py draws them: element i of draw number
 * {@code offset} scrambles the counter (offset, 0, i, 0) under the seed, and turns its first two words into one
 * normal with the sine branch of Box-Muller (the other two words and the cosine branch are discarded).
 */
final class PhiloxNormal {

    // A1111 keeps these constants in float32; the arithmetic itself runs in float64 (numpy promotes u32 × f32).
    private static final double TWO_POW32_INV = (float) 2.3283064e-10;
    private static final double TWO_POW32_INV_2PI = (float) (2.3283064e-10 * 6.2831855);

    private PhiloxNormal() {
    }

    /** The {@code count} normals of draw {@code offset} of the generator seeded with {@code seed} (a u64). */
    public static float[] draw(long seed, long offset, int count) {
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        float[] out = new float[count];
        int[] counter = new int[4];
        for (int i = 0; i < count; i++) {
            counter[0] = (int) offset; // A1111 stores the offset in a u32 word
            counter[1] = 0;
            counter[2] = i;
            counter[3] = 0;
            Philox4x32.scramble(counter, k0, k1);
            out[i] = boxMullerSine(counter[0], counter[1]);
        }
        return out;
    }

    /**
     * One normal from two uniform u32 words: radius from the first, angle from the second. StrictMath, so that
     * every JVM and CPU gives the same bits.
     */
    static float boxMullerSine(int x, int y) {
        double u = (x & 0xFFFF_FFFFL) * TWO_POW32_INV + TWO_POW32_INV / 2; // in (0, 1): log(u) is finite
        double angle = (y & 0xFFFF_FFFFL) * TWO_POW32_INV_2PI + TWO_POW32_INV_2PI / 2;
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u));
        return (float) (radius * StrictMath.sin(angle));
    }
}
