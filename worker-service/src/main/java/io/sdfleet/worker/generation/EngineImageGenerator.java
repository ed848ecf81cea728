package io.sdfleet.worker.generation;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.contracts.GenerationParameters;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.offload.MemoryMode;
import io.sdfleet.diffusion.vae.VaeTiling;
import io.sdfleet.diffusion.pipeline.GeneratedImage;
import io.sdfleet.diffusion.pipeline.GenerationResult;
import io.sdfleet.diffusion.pipeline.ModelOptions;
import io.sdfleet.diffusion.pipeline.ProgressListener;
import io.sdfleet.diffusion.pipeline.StableDiffusionModel;
import io.sdfleet.diffusion.pipeline.Txt2Img;
import io.sdfleet.diffusion.runtime.MemoryProbe;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.worker.WorkerProperties;
import org.springframework.stereotype.Component;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The diffusion engine behind the worker. A job's seeds are consecutive (seed, seed + 1, …), so one engine batch
 * produces exactly the job's images, each reproducible alone from its own seed.
 */
@Component
public class EngineImageGenerator implements ImageGenerator, AutoCloseable {

    private final WorkerProperties properties;
    private final ModelCache cache;
    private final Device device;
    private final AtomicLong peak = new AtomicLong();

    public EngineImageGenerator(WorkerProperties properties) {
        this.properties = properties;
        this.device = Torch.device(properties.device());
        DataType precision = device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        ModelOptions options = ModelOptions.cpu(properties.tokenizer()).withDevice(device, precision)
                .withMemoryMode(MemoryMode.valueOf(properties.memoryMode().trim().toUpperCase(java.util.Locale.ROOT)))
                .withAttentionBudget(properties.attentionBudgetMb() * 1024L * 1024L)
                .withVaeTiling(properties.tiledVae() ? VaeTiling.DEFAULT : null);
        this.cache = new ModelCache(properties.modelCacheSize(), options);
    }

    @Override
    public Batch generate(JobMessage job, Progress progress) {
        GenerationParameters p = job.parameters();
        StableDiffusionModel model = cache.get(checkpointFor(p.model()));
        io.sdfleet.diffusion.pipeline.GenerationParameters engine = EngineParameters.of(job);
        model.useVae(p.vae() == null ? null : vaeFile(p.vae()));
        GenerationResult result = new Txt2Img(model, NetworkDirectories.under(properties.modelsDir()))
                .generate(engine, Optional.empty(), new ProgressWithPreviews(progress, properties.previewEvery()));
        peak.accumulateAndGet(result.peakMemoryBytes(), Math::max);
        List<Image> images = new ArrayList<>();
        for (GeneratedImage image : result.images()) {
            images.add(new Image(job.firstImageIndex() + image.index(), image.seed(), image.png(), image.infotext()));
        }
        return new Batch(images, model.name(), result.seconds(), result.peakMemoryBytes());
    }

    /** A VAE from the models folder's VAE/ (A1111's models/VAE), never outside it. */
    Path vaeFile(String name) {
        Path dir = properties.modelsDir().resolve("VAE").normalize();
        Path path = dir.resolve(name).normalize();
        if (!path.startsWith(dir) || !Files.isRegularFile(path)) {
            throw new IllegalArgumentException("VAE '" + name + "' not found in " + dir);
        }
        return path;
    }

    /** A model named in the request (file name with or without extension, under the models folder), else the default. */
    Path checkpointFor(String requested) {
        String name = requested == null || requested.isBlank() ? properties.defaultModel() : requested;
        Path dir = properties.modelsDir();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("no model requested and no default model configured");
        }
        for (String candidate : List.of(name, name + ".safetensors", name + ".ckpt")) {
            Path path = dir.resolve(candidate).normalize();
            if (path.startsWith(dir.normalize()) && Files.exists(path)) {
                return path;
            }
        }
        throw new IllegalArgumentException("model '" + name + "' not found in " + dir);
    }

    @Override
    public List<String> loadedModels() {
        return cache.names();
    }

    @Override
    public String device() {
        return device.toString();
    }

    @Override
    public long[] memory() {
        return new long[] {MemoryProbe.totalBytes(device), MemoryProbe.freeBytes(device), peak.get()};
    }

    @Override
    public void close() {
        cache.close();
    }
}
