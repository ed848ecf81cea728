package io.sdfleet.diffusion.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;

/**
 * torch's fused scaled_dot_product_attention (flash or memory-efficient kernels: no Nq×Nk score matrix in memory),
 * when the PyTorch JNI library in use was built with sdfleet's addition ({@code scripts/gpu/build-djl-jni.sh}).
 * DJL's own JNI builds lack it; then {@link #available()} is false and the engine computes attention explicitly.
 * {@code -Dsdfleet.fused-attention=false} turns it off.
 */
public final class FusedAttention {

    private static final boolean AVAILABLE = probe();

    private FusedAttention() {
    }

    private static native int version();

    private static native long attend(long q, long k, long v, long mask, double scale);

    private static boolean probe() {
        if (!Boolean.parseBoolean(System.getProperty("sdfleet.fused-attention", "true"))) {
            return false;
        }
        try {
            Torch.engine(); // loads the JNI library whose symbols the native methods bind to
            return version() == 1;
        } catch (UnsatisfiedLinkError | RuntimeException stockLibrary) {
            return false;
        }
    }

    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * softmax(q·kᵀ·scale + mask)·v for q [B, H, Nq, D], k and v [B, H, Nk, D], mask additive [Nq, Nk] (q's dtype) or
     * null; the result is in q's manager.
     */
    public static NDArray apply(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        if (!AVAILABLE) {
            throw new IllegalStateException("fused attention is not in this PyTorch JNI library");
        }
        long handle = attend(handleOf(q), handleOf(k), handleOf(v), mask == null ? 0 : handleOf(mask), scale);
        return new PtNDArray((PtNDManager) q.getManager(), handle);
    }

    private static long handleOf(NDArray array) {
        return ((PtNDArray) array).getHandle();
    }
}
