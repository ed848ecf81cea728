package io.sdfleet.diffusion.restore.align;

/**
 * OpenCV's {@code cv::RNG}: a multiply-with-carry generator on a 64-bit state. LMedS seeds it with −1 on every call,
 * so the point pairs it tries, and therefore the matrix it returns, are the same each time.
 */
final class CvRng {

    private static final long COEFF = 4164903690L;

    private long state;

    CvRng(long seed) {
        state = seed != 0 ? seed : 0xffffffffL;
    }

    /** The next 32 bits, unsigned. */
    long next() {
        state = (state & 0xffffffffL) * COEFF + (state >>> 32);
        return state & 0xffffffffL;
    }

    /** Uniform in [a, b), as {@code RNG::uniform(int, int)}: the next word modulo the range. */
    int uniform(int a, int b) {
        return a == b ? a : (int) (next() % (b - a) + a);
    }
}
