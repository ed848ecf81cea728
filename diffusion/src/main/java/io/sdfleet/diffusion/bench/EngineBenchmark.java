package io.sdfleet.diffusion.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.runtime.NativeAllocator;
import io.sdfleet.diffusion.runtime.PeakMemory;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Times the three stages of txt2img on loaded components: text encoding (cond + uncond), UNet steps with
 * classifier-free guidance (cond and uncond batched, as the pipeline runs them) and one VAE decode, each after a
 * warm-up run (unless {@link #withoutWarmUp}). Figures are wall-clock seconds on this process; compare them only with
 * runs on the same machine.
 */
public final class EngineBenchmark {

    public record Result(String device, int threads, double unetStepSeconds, double vaeDecodeSeconds,
                         double textEncodeSeconds, double imageSeconds, long peakMemoryBytes, int steps,
                         String nativeAllocator) {

        /** The single JSON line the CLI prints last. */
        public String toJson() {
            return String.format(Locale.ROOT,
                    "{\"device\": \"%s\", \"threads\": %d, \"unet_step_s\": %.4f, \"vae_decode_s\": %.4f, "
                            + "\"text_encode_s\": %.4f, \"image_s\": %.4f, \"peak_memory_bytes\": %d, "
                            + "\"native_allocator\": \"%s\"}",
                    device, threads, unetStepSeconds, vaeDecodeSeconds, textEncodeSeconds, imageSeconds,
                    peakMemoryBytes, nativeAllocator);
        }
    }

    private final BenchConditioner text;
    private final UNetModel unet;
    private final AutoencoderKL vae;
    private final boolean warmUp;

    /** SD 1.x / 2.x components: CLIP's context, no vector. */
    public EngineBenchmark(ClipTextModel text, UNetModel unet, AutoencoderKL vae) {
        this(BenchConditioner.clip(text), unet, vae);
    }

    /** @param text the text stage (SDXL: both towers and the size vector, {@link BenchConditioner#sdxl}) */
    public EngineBenchmark(BenchConditioner text, UNetModel unet, AutoencoderKL vae) {
        this(text, unet, vae, true);
    }

    private EngineBenchmark(BenchConditioner text, UNetModel unet, AutoencoderKL vae, boolean warmUp) {
        this.text = text;
        this.unet = unet;
        this.vae = vae;
        this.warmUp = warmUp;
    }

    /**
     * The same benchmark timing every stage's first call (SDXL at 1024² on a CPU, where one UNet step takes
     * minutes): the first call's one-time costs (allocator growth, kernel set-up) are then in the figures.
     */
    public EngineBenchmark withoutWarmUp() {
        return new EngineBenchmark(text, unet, vae, false);
    }

    public Result run(NDManager manager, int width, int height, int batchSize, int steps, int threads) {
        Device device = manager.getDevice();
        PeakMemory peak = PeakMemory.start(device);
        long[] ids = new long[77];
        ids[0] = 49406;
        for (int i = 1; i < 77; i++) {
            ids[i] = i < 9 ? 320 + i : 49407; // a short prompt padded with EOS: the cost does not depend on the words
        }
        NDArray tokens = manager.create(ids, new Shape(1, 77));

        if (warmUp) {
            encodeText(tokens).close();
        }
        long t0 = System.nanoTime();
        BenchConditioning conditioning = encodeText(tokens);
        waitFor(conditioning.context());
        double textSeconds = seconds(t0);

        Shape latentShape = new Shape(batchSize, 4, height / 8, width / 8);
        NDArray x = TorchCpuRandom.randn(manager, 1, latentShape);
        if (warmUp) {
            unetStep(manager, x, conditioning, 500f).close();
            peak.sample();
        }
        List<Double> stepSeconds = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            long s = System.nanoTime();
            NDArray eps = unetStep(manager, x, conditioning, 999f - i * (999f / Math.max(1, steps)));
            waitFor(eps);
            eps.close();
            stepSeconds.add(seconds(s));
            peak.sample();
        }

        try (NDManager scope = manager.newSubManager()) {
            NDArray z = x.div(vae.scaleFactor());
            z.attach(scope);
            if (warmUp) {
                vae.decode(z).close();
                peak.sample();
            }
            long d = System.nanoTime();
            vae.decode(z).toFloatArray();
            double decodeSeconds = seconds(d);
            peak.sample();
            double unetMedian = median(stepSeconds);
            double image = textSeconds + unetMedian * steps + decodeSeconds;
            return new Result(device.toString(), threads, unetMedian, decodeSeconds, textSeconds, image,
                    peak.peakBytes(), steps, NativeAllocator.applied());
        } finally {
            x.close();
            conditioning.close();
            tokens.close();
        }
    }

    /** Copies one value to the host, which waits for the device to finish what it was given (GPU work is async). */
    private static void waitFor(NDArray array) {
        try (NDArray flat = array.flatten(); NDArray element = flat.get(0);
             NDArray first = element.toType(DataType.FLOAT32, false)) {
            first.getFloat();
        }
    }

    /** cond and uncond stacked on the batch axis: contexts [2, 77, C] (and SDXL's vectors [2, D]). */
    private BenchConditioning encodeText(NDArray tokens) {
        try (NDManager scope = tokens.getManager().newSubManager()) {
            NDArray both = NDArrays.concat(new NDList(tokens, tokens), 0);
            both.attach(scope);
            BenchConditioning conditioning = text.encode(both);
            conditioning.context().attach(tokens.getManager());
            if (conditioning.vector() != null) {
                conditioning.vector().attach(tokens.getManager());
            }
            return conditioning;
        }
    }

    /** One guided step's UNet work: cond and uncond halves of every image in one call. */
    private NDArray unetStep(NDManager manager, NDArray x, BenchConditioning conditioning, float t) {
        try (NDManager scope = manager.newSubManager()) {
            long batch = x.getShape().get(0);
            NDArray doubled = NDArrays.concat(new NDList(x, x), 0);
            doubled.attach(scope);
            NDArray ctx = conditioning.context().repeat(0, batch); // [cond × B, uncond × B], as the doubled latents
            ctx.attach(scope);
            NDArray vector = conditioning.vector() == null ? null : conditioning.vector().repeat(0, batch);
            if (vector != null) {
                vector.attach(scope);
            }
            NDArray timesteps = manager.full(new Shape(2 * batch), t);
            timesteps.attach(scope);
            NDArray eps = unet.predict(doubled, timesteps, ctx, vector);
            eps.attach(manager);
            return eps;
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
