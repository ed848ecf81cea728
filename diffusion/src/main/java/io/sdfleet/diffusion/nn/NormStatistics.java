package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Group-norm statistics frozen across calls: while {@link #recording} runs, every {@link GroupNorm} stores the
 * per-(sample, group) mean and variance it computed; while {@link #replaying} runs, every GroupNorm normalises with
 * the stored values instead of its input's own.
 *
 * <p>Why: a network run tile by tile would otherwise normalise each tile by that tile's statistics, and tiles with
 * different content would come out with different brightness and contrast (visible seams). Recording on a view of
 * the whole image and replaying on every tile makes all tiles share one normalisation, as the untiled run does.
 * Norms are told apart by identity, so one instance serves a network whose norms each run once per pass.
 * The active instance is per thread, so concurrent generations on one model do not see each other's statistics.
 */
public final class NormStatistics implements AutoCloseable {

    private static final ThreadLocal<NormStatistics> ACTIVE = new ThreadLocal<>();

    private final NDManager manager;
    private final Map<GroupNorm, NDArray[]> byNorm = new IdentityHashMap<>();
    private boolean replay;

    /** @param parent the stored statistics live in a sub-manager of it until {@link #close()} */
    public NormStatistics(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    public <T> T recording(Supplier<T> body) {
        return within(false, body);
    }

    public <T> T replaying(Supplier<T> body) {
        return within(true, body);
    }

    private <T> T within(boolean replayMode, Supplier<T> body) {
        NormStatistics previous = ACTIVE.get();
        this.replay = replayMode;
        ACTIVE.set(this);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                ACTIVE.remove();
            } else {
                ACTIVE.set(previous);
            }
        }
    }

    /** The instance active on this thread, or null (GroupNorm then uses its input's statistics). */
    static NormStatistics active() {
        return ACTIVE.get();
    }

    /** How many norms have statistics stored. */
    public int size() {
        return byNorm.size();
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
