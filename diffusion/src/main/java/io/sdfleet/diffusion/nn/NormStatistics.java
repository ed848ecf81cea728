package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Group-norm statistics frozen across calls: every {@link GroupNorm} handed a {@link #recording} instance stores the
 * per-(sample, group) mean and variance it computed; handed its {@link #replaying()} view, it normalises with the
 * stored values instead of its input's own.
 *
 * <p>Why: a network run tile by tile would otherwise normalise each tile by that tile's statistics, and tiles with
 * different content would come out with different brightness and contrast (visible seams). Recording on a view of
 * the whole image and replaying on every tile makes all tiles share one normalisation, as the untiled run does.
 * Norms are told apart by identity, so one instance serves a network whose norms each run once per pass. The
 * instance travels with the call's arguments, so concurrent calls on one loaded model never see each other's.
 */
public final class NormStatistics implements AutoCloseable {

    private final NDManager manager;
    private final Map<GroupNorm, NDArray[]> byNorm;
    private final boolean replay;

    private NormStatistics(NDManager manager, Map<GroupNorm, NDArray[]> byNorm, boolean replay) {
        this.manager = manager;
        this.byNorm = byNorm;
        this.replay = replay;
    }

    /** @param parent the stored statistics live in a sub-manager of it until {@link #close()} */
    public static NormStatistics recording(NDManager parent) {
        return new NormStatistics(parent.newSubManager(), new IdentityHashMap<>(), false);
    }

    /** The statistics recorded so far, for norms to normalise with; closing either instance frees them. */
    public NormStatistics replaying() {
        return new NormStatistics(manager, byNorm, true);
    }

    /** Normalises x with stored statistics (replay) or its own, storing them (recording). */
    NDArray normalize(GroupNorm norm, NDArray x) {
        if (replay) {
            NDArray[] stored = byNorm.get(norm);
            if (stored == null) {
                throw new IllegalStateException("no statistics were recorded for this group norm");
            }
            return norm.normalizeWith(x, stored[0], stored[1]);
        }
        NDArray[] computed = norm.statistics(x);
        for (NDArray a : computed) {
            a.attach(manager);
        }
        NDArray[] old = byNorm.put(norm, computed);
        if (old != null) {
            old[0].close();
            old[1].close();
        }
        return norm.normalizeWith(x, computed[0], computed[1]);
    }

    @Override
    public void close() {
        manager.close();
    }
}
