package io.sdfleet.diffusion.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

import java.util.Locale;

/**
 * Starts DJL's PyTorch engine the way the engine needs it: offline (a misconfiguration fails loudly instead of
 * downloading) and with native libraries from the Maven artifacts on the class path.
 */
public final class Torch {

    private Torch() {
    }

    /** The PyTorch engine, started once per JVM. */
    public static Engine engine() {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        NativeAllocator.tune(); // before libtorch's first allocation, which reads the setting once
        return Engine.getEngine("PyTorch");
    }

    /** A root manager on {@code device}; close it to free every array created under it. */
    public static NDManager newManager(Device device) {
        return engine().newBaseManager(device);
    }

    /** Parses "cpu", "gpu", "cuda", "cuda:1", "gpu:0". */
    public static Device device(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.startsWith("gpu") || n.startsWith("cuda")) {
            int colon = n.indexOf(':');
            int id = colon < 0 ? 0 : Integer.parseInt(n.substring(colon + 1));
            return Device.gpu(id);
        }
        throw new IllegalArgumentException("unknown device '" + name + "' (use cpu, gpu or gpu:N)");
    }
}
