package io.sdfleet.diffusion.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.util.Locale;

/**
 * How libtorch's CPU memory is allocated, set once before the engine's first tensor.
 *
 * <p>The engine's big buffers are short-lived and the same size every step: oneDNN re-lays out every large conv
 * weight into a fresh buffer on every call (59 MB for a 1280→1280 3×3 conv at fp32), and attention's score chunks
 * take 256 MiB each. glibc serves anything over its mmap threshold with a fresh mapping and unmaps it on free, so
 * every call pays the page faults again; on this project's VM they were half of a CPU step's wall time. The
 * environment variables a Python user sets for this ({@code MALLOC_MMAP_THRESHOLD_}) do not help a JVM: its threads
 * allocate from per-thread arenas, which hand anything over 64 MB to mmap whatever the threshold. So the engine
 * sets what it can from inside the process:
 * <ul>
 *   <li>{@code THP_MEM_ALLOC_ENABLE=1} (read by libtorch's CPU allocator at its first allocation): buffers of 2 MB
 *   and more are aligned to and advised as transparent huge pages, so a fresh 256 MiB buffer takes 128 faults,
 *   not 65,536;</li>
 *   <li>{@code mallopt}: the mmap threshold at its ceiling (32 MB) and trimming off, so buffers up to 32 MB are
 *   recycled inside the arenas instead of mapped and unmapped each time.</li>
 * </ul>
 * {@code -Dsdfleet.native-allocator=default} leaves glibc and libtorch as they are (for an A/B, or when a
 * different allocator is preloaded); {@code thp} or {@code malloc} applies only one of the two.
 */
public final class NativeAllocator {

    /** glibc's {@code mallopt} parameter numbers (malloc.h). */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    /** glibc refuses a larger mmap threshold through mallopt (HEAP_MAX_SIZE / 2 on 64-bit). */
    private static final int MMAP_THRESHOLD_CEILING = 32 * 1024 * 1024;

    private static volatile String applied;

    private NativeAllocator() {
    }

    private interface LibC extends Library {
        int mallopt(int param, int value);

        int setenv(String name, String value, int overwrite);
    }

    /** Applies the setting named by {@code sdfleet.native-allocator} once per process; returns what was applied. */
    public static synchronized String tune() {
        if (applied == null) {
            applied = apply(System.getProperty("sdfleet.native-allocator", "tuned").toLowerCase(Locale.ROOT));
        }
        return applied;
    }

    /** What {@link #tune()} applied, or null before it ran. */
    public static String applied() {
        return applied;
    }

    private static String apply(String mode) {
        boolean thp = mode.equals("tuned") || mode.equals("thp");
        boolean malloc = mode.equals("tuned") || mode.equals("malloc");
        if (!thp && !malloc) {
            return "default";
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "default (not Linux)";
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            StringBuilder done = new StringBuilder();
            // overwrite=0: a value the operator exported wins
            if (thp && libc.setenv("THP_MEM_ALLOC_ENABLE", "1", 0) == 0) {
                done.append("thp");
            }
            if (malloc && libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_CEILING) == 1
                    && libc.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1) {
                done.append(done.isEmpty() ? "" : "+").append("malloc");
            }
            return done.isEmpty() ? "default (refused)" : done.toString();
        } catch (UnsatisfiedLinkError | RuntimeException e) { // no glibc (musl, another OS): keep the defaults
            return "default (" + e.getClass().getSimpleName() + ")";
        }
    }
}
