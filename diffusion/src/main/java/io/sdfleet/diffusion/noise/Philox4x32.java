package io.sdfleet.diffusion.noise;

/**
 * The Philox 4x32-10 counter-based bijection (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"): ten
 * rounds that scramble a 128-bit counter under a 64-bit key. cuRAND, and so torch.randn on NVIDIA GPUs, builds its
 * numbers from it; A1111's "NV" source reproduces them on any device.
 */
final class Philox4x32 {

    private static final long MULTIPLIER_0 = 0xD2511F53L;
    private static final long MULTIPLIER_1 = 0xCD9E8D57L;
    private static final int KEY_STEP_0 = 0x9E3779B9;
    private static final int KEY_STEP_1 = 0xBB67AE85;
    private static final int ROUNDS = 10;

    private Philox4x32() {
    }

    /** Scrambles {@code counter} (4 words) in place under the key (k0 = low word of the seed, k1 = high word). */
    static void scramble(int[] counter, int k0, int k1) {
        for (int round = 0; round < ROUNDS; round++) {
            round(counter, k0, k1);
            k0 += KEY_STEP_0; // the key is bumped between rounds (Weyl sequence), wrapping at 2^32
            k1 += KEY_STEP_1;
        }
    }

    private static void round(int[] c, int k0, int k1) {
        long product0 = unsigned(c[0]) * MULTIPLIER_0; // full 64-bit product of two u32
        long product1 = unsigned(c[2]) * MULTIPLIER_1;
        int c1 = c[1];
        int c3 = c[3];
        c[0] = high(product1) ^ c1 ^ k0;
        c[1] = (int) product1;
        c[2] = high(product0) ^ c3 ^ k1;
        c[3] = (int) product0;
    }

    private static long unsigned(int word) {
        return word & 0xFFFF_FFFFL;
    }

    private static int high(long product) {
        return (int) (product >>> 32);
    }
}
