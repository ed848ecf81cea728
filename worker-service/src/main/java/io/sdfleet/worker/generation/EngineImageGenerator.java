package io.sdfleet.worker.generation;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.offload.MemoryMode;
import io.sdfleet.diffusion.pipeline.GeneratedImage;
import io.sdfleet.diffusion.pipeline.GenerationResult;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.pipeline.ProgressListener;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.pipeline.ImageGeneration;
import io.sdfleet.diffusion.runtime.MemoryProbe;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.diffusion.vae.VaeTiling;
import io.sdfleet.request.BatchMemory;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.storageclient.RegisteredModel;
import io.sdfleet.worker.WorkerProperties;
import io.sdfleet.worker.models.FaceRestorerFiles;
import io.sdfleet.worker.models.ModelPuller;
import io.sdfleet.worker.models.NetworkView;
import io.sdfleet.worker.models.UpscalerFiles;
import org.springframework.stereotype.Component;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    private final ModelPuller puller;

    public EngineImageGenerator(WorkerProperties properties, ModelPuller puller) {
        this.properties = properties;
        this.puller = puller;
        this.device = Torch.device(properties.device());
        DataType precision = device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        ModelOptions options = ModelOptions.cpu(properties.tokenizer()).withDevice(device, precision)
                .withMemoryMode(MemoryMode.valueOf(properties.memoryMode().trim().toUpperCase(Locale.ROOT)))
                .withAttentionBudget(properties.attentionBudgetMb() * 1024L * 1024L)
                .withVaeTiling(properties.tiledVae() ? VaeTiling.DEFAULT : null);
        this.cache = new ModelCache(properties.modelCacheSize(), options);
        puller.protect(cache::files);
    }

    /**
     * Runs the job as one engine batch, or, when it holds more images than this worker's memory does (the scheduler
     * cuts batches for the roomiest live worker, and any worker may take them from the shared queue), as consecutive
     * parts of what fits here; seeds and image indexes are those of the whole.
     */
    @Override
    public Batch generate(JobMessage job, Progress progress) {
        if (job.parameters().extras() != null) {
            return EngineExtras.run(JobBatch.extrasOf(job), properties.modelsDir(), puller, device, progress);
        }
        int[] size = job.parameters().workingSize();
        int fits = BatchMemory.DEFAULT.forModels(job.parameters().models()).maxBatch(memory()[0], size[0], size[1]);
        int n = job.seeds().size();
        if (n <= fits) {
            return generateBatch(job, progress);
        }
        List<Image> images = new ArrayList<>();
        double seconds = 0;
        long peakBytes = 0;
        String model = null;
        for (int offset = 0; offset < n; offset += fits) {
            Batch part = generateBatch(job.part(offset, Math.min(fits, n - offset)), progress);
            images.addAll(part.images());
            seconds += part.pipelineSeconds();
            peakBytes = Math.max(peakBytes, part.peakMemoryBytes());
            model = part.model();
        }
        return new Batch(images, model, seconds, peakBytes);
    }

    private Batch generateBatch(JobMessage job, Progress progress) {
        GenerationParameters p = job.parameters();
        puller.beginJob();
        // Everything the job needs is local (or pulled and verified) before anything is loaded.
        Path checkpoint = checkpointFor(p.models().checkpoint());
        Path refiner = p.models().refiner() == null ? null : checkpointFor(p.models().refiner().checkpoint());
        Path vae = p.models().vae() == null ? null : vaeFile(p.models().vae());
        UpscalerLibrary upscalers = UpscalerFiles.prepareAll(properties.modelsDir(), puller, p.upscalersUsed());
        FaceRestorerLibrary restorers = FaceRestorerFiles.prepare(properties.modelsDir(), puller, p.restoreFaces());
        NetworkView networks = NetworkView.prepare(properties.modelsDir(), puller, job.jobId(),
                List.of(p.prompt().positive(), p.prompt().negative()));
        GenerationResult result;
        StableDiffusionModel model;
        try {
            List<StableDiffusionModel> loaded = cache.getTogether(refiner == null ? List.of(checkpoint)
                    : List.of(checkpoint, refiner));
            model = loaded.getFirst();
            ImageGeneration generation = new ImageGeneration(model, networks.directories(), vae, upscalers, restorers);
            if (refiner != null) {
                generation = generation.withRefiner(loaded.get(1)); // the same model as the base: never handed over
            }
            result = generation.generate(JobBatch.of(job), Optional.empty(),
                    new ProgressWithPreviews(progress, properties.previewEvery()));
        } finally {
            networks.close();
        }
        peak.accumulateAndGet(result.peakMemoryBytes(), Math::max);
        List<Image> images = new ArrayList<>();
        for (GeneratedImage image : result.images()) {
            images.add(new Image(job.firstImageIndex() + image.index(), image.seed(), image.png(), image.infotext()));
        }
        return new Batch(images, model.name(), result.seconds(), result.peakMemoryBytes());
    }

    /** A VAE from the models folder's VAE/ (A1111's models/VAE), never outside it; else pulled from the registry. */
    Path vaeFile(String name) {
        Path dir = properties.modelsDir().resolve("VAE").normalize();
        Path path = dir.resolve(name).normalize();
        if (path.startsWith(dir) && Files.isRegularFile(path)) {
            return path;
        }
        return puller.find("vae", name).map(puller::pull)
                .orElseThrow(() -> new IllegalArgumentException("VAE '" + name + "' not found in " + dir
                        + " nor in the fleet's model registry"));
    }

    /**
     * A model named in the request (file name with or without extension), else the default (the configured one, else
     * the first checkpoint in the models folder, else the registry's first): from the models folder when it is there,
     * else pulled from the fleet's model registry into the model cache and verified.
     */
    Path checkpointFor(String requested) {
        String named = requested == null || requested.isBlank() ? properties.defaultModel() : requested;
        Path dir = properties.modelsDir();
        String name = named != null && !named.isBlank() ? named : firstCheckpoint(dir).orElseThrow(() ->
                new IllegalArgumentException("no model requested, none configured (SDFLEET_DEFAULT_MODEL) and no"
                        + " checkpoint in " + dir + " nor in the fleet's registry"));
        for (String candidate : List.of(name, name + ".safetensors", name + ".ckpt")) {
            Path path = dir.resolve(candidate).normalize();
            if (path.startsWith(dir.normalize()) && Files.exists(path)) {
                return path;
            }
        }
        return puller.find("checkpoint", name).map(puller::pull)
                .orElseThrow(() -> new IllegalArgumentException("model '" + name + "' not found in " + dir
                        + " nor in the fleet's model registry"));
    }

    /** The first checkpoint by name in the folder, else in the registry. */
    private Optional<String> firstCheckpoint(Path dir) {
        // none in a readable folder: the registry may still have one
        return CheckpointFiles.firstIn(dir)
                .or(() -> puller.list("checkpoint").stream().map(RegisteredModel::name).sorted().findFirst());
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
        if (!device.isGpu()) {
            Optional<long[]> container = ContainerMemory.limit();
            if (container.isPresent()) {
                return new long[] {container.get()[0], container.get()[1], peak.get()};
            }
        }
        return new long[] {MemoryProbe.totalBytes(device), MemoryProbe.freeBytes(device), peak.get()};
    }

    @Override
    public void close() {
        cache.close();
    }
}
