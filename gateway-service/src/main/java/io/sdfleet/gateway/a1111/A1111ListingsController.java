package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.sampling.SamplerSpec;
import io.sdfleet.diffusion.sampling.Scheduler;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.UpscalerNames;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A1111's listing routes under {@code /sdapi/v1}: what a client reads at start-up to fill its menus (models, VAEs,
 * networks, samplers, schedulers, styles, upscalers, face restorers), in A1111's shapes, and the refresh calls that rescan them.
 */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111ListingsController {

    private final ModelCatalog models;
    private final PromptStyles styles;
    private final EmbeddingShapes embeddingShapes;

    public A1111ListingsController(ModelCatalog models, PromptStyles styles, EmbeddingShapes embeddingShapes) {
        this.models = models;
        this.styles = styles;
        this.embeddingShapes = embeddingShapes;
    }

    @GetMapping("/prompt-styles")
    public List<Map<String, Object>> promptStyles() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PromptStyles.Style s : styles.all()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", s.name());
            entry.put("prompt", s.prompt());
            entry.put("negative_prompt", s.negativePrompt());
            out.add(entry);
        }
        return out;
    }

    @GetMapping("/sd-vae")
    public List<Map<String, Object>> sdVae() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelCatalog.Model m : models.vaeModels()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("model_name", m.name());
            entry.put("filename", m.filename());
            out.add(entry);
        }
        return out;
    }

    /** A1111's Lora extension listing; metadata (the safetensors header's) is not read by the gateway: empty. */
    @GetMapping("/loras")
    public List<Map<String, Object>> loras() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelCatalog.Model m : models.of("lora")) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", m.stem());
            entry.put("alias", m.stem());
            entry.put("path", m.filename());
            entry.put("metadata", Map.of());
            out.add(entry);
        }
        return out;
    }

    @GetMapping("/hypernetworks")
    public List<Map<String, Object>> hypernetworks() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelCatalog.Model m : models.of("hypernetwork")) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", m.stem());
            entry.put("path", m.filename());
            out.add(entry);
        }
        return out;
    }

    /**
     * A1111's shape: {@code {"loaded": {name: {step, sd_checkpoint, sd_checkpoint_name, shape, vectors}}, "skipped": {}}}
     * plus each file's {@code sha256} when registered. {@code shape} (one vector's width) and {@code vectors} are
     * integers read from the file's header ({@link EmbeddingShapes}); {@code step} and the checkpoint fields come from
     * an A1111 .pt, else null. The gateway has no loaded checkpoint to skip embeddings of another architecture
     * against, so every readable embedding is "loaded"; a file no loader could read is left out, as A1111 leaves it
     * out (it logs it), and so, until storage answers, is a registered one whose bytes storage cannot give now.
     */
    @GetMapping("/embeddings")
    public Map<String, Object> embeddings() {
        Map<String, Object> loaded = new LinkedHashMap<>();
        for (ModelCatalog.Model m : models.of("embedding")) {
            if (loaded.containsKey(m.stem())) {
                continue;
            }
            embeddingShapes.of(m).ifPresent(shape -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("step", shape.step());
                entry.put("sd_checkpoint", shape.sdCheckpoint());
                entry.put("sd_checkpoint_name", shape.sdCheckpointName());
                entry.put("shape", shape.shape());
                entry.put("vectors", shape.vectors());
                entry.put("sha256", m.sha256());
                loaded.put(m.stem(), entry);
            });
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("loaded", loaded);
        out.put("skipped", Map.of());
        return out;
    }

    /**
     * The registry listing is remembered a few seconds; these make new uploads visible at once. A1111 answers JSON
     * {@code null} (its handlers return None), and clients call {@code .json()} on the answer, so the body is
     * {@code null} too, not empty.
     */
    @PostMapping(value = {"/refresh-checkpoints", "/refresh-vae", "/refresh-loras", "/refresh-embeddings"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> refreshModels() {
        models.refresh();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body("null");
    }

    /**
     * A1111's upscalers, {@code [{name, model_name, model_path, model_url, scale}]} ({@code UpscalerItem}): "None",
     * "Lanczos", "Nearest", then the ESRGAN and Real-ESRGAN upscalers whose files the fleet has (the registry's and the
     * models folder's {@code ESRGAN/} and {@code RealESRGAN/}), as {@link FleetUpscalers} lists them. The latent modes
     * are {@code /latent-upscale-modes}.
     */
    @GetMapping("/upscalers")
    public List<Map<String, Object>> upscalers() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FleetUpscalers.Item u : FleetUpscalers.all(models)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", u.name());
            entry.put("model_name", u.modelName());
            entry.put("model_path", u.dataPath());
            entry.put("model_url", null);
            entry.put("scale", u.scale());
            out.add(entry);
        }
        return out;
    }

    /** A1111's {@code [{name}]} of the latent hires modes, those the engine has ("Latent", "Latent (nearest)"). */
    @GetMapping("/latent-upscale-modes")
    public List<Map<String, Object>> latentUpscaleModes() {
        return HiresFix.LATENT_UPSCALERS.stream()
                .map(name -> Map.<String, Object>of("name", name)).toList();
    }

    /**
     * A1111's {@code [{name, cmd_dir}]} ({@code FaceRestorerItem}; v1.8+ restorers have no cmd_dir: null), CodeFormer
     * before GFPGAN as A1111 sets them up, each only when the fleet has its file (A1111 lists both and downloads on
     * first use): any .pth in {@code models/Codeformer}, a .pth whose name contains "GFPGAN" in {@code models/GFPGAN}
     * (registry kinds {@code codeformer}, {@code gfpgan}).
     */
    @GetMapping("/face-restorers")
    public List<Map<String, Object>> faceRestorers() {
        return FleetFaceRestorers.listed(models).stream().map(A1111ListingsController::faceRestorer).toList();
    }

    private static Map<String, Object> faceRestorer(String name) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("cmd_dir", null);
        return entry;
    }

    /**
     * A1111's {@code [{name, path, scale}]} ({@code RealesrganItem}): its Real-ESRGAN upscalers, {@code path} the
     * release URL as A1111 answers it. A1111 lists its whole fixed list; this fleet lists those it can run (the RRDB
     * ones) and has the file of.
     */
    @GetMapping("/realesrgan-models")
    public List<Map<String, Object>> realesrganModels() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (UpscalerNames.RealEsrgan r : FleetUpscalers.realEsrgan(models)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", r.name());
            entry.put("path", r.url());
            entry.put("scale", r.scale());
            out.add(entry);
        }
        return out;
    }

    /**
     * {@code [{model_name, filename}]} of separate VAE / text-encoder module files (Forge's route, read by clients
     * written for it); the fleet loads whole checkpoints (with an optional VAE, {@code /sd-vae}) only: none.
     */
    @GetMapping("/sd-modules")
    public List<Map<String, Object>> sdModules() {
        return List.of();
    }

    @GetMapping("/samplers")
    public List<Map<String, Object>> samplers() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SamplerSpec s : SamplerCatalog.all()) {
            Map<String, Object> options = new LinkedHashMap<>();
            if (s.defaultScheduler() != null && s.defaultScheduler() != Scheduler.AUTOMATIC) {
                options.put("scheduler", s.defaultScheduler().id());
            }
            if (s.discardNextToLastSigma()) {
                options.put("discard_next_to_last_sigma", "True");
            }
            out.add(Map.of("name", s.name(), "aliases", s.aliases(), "options", options));
        }
        return out;
    }

    @GetMapping("/schedulers")
    public List<Map<String, Object>> schedulers() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Scheduler s : Scheduler.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", s.id());
            entry.put("label", s.label());
            entry.put("aliases", s == Scheduler.SGM_UNIFORM ? List.of("SGMUniform") : null);
            entry.put("default_rho", s == Scheduler.KARRAS ? 7.0 : -1.0);
            entry.put("need_inner_model", s == Scheduler.UNIFORM || s == Scheduler.SGM_UNIFORM);
            out.add(entry);
        }
        return out;
    }

    /**
     * A1111's checkpoint list: {@code title} "name.safetensors [shorthash]", {@code hash} the shorthash (first 10 hex
     * of the sha256) and {@code sha256}, for registered and local files alike (a local file is hashed once per
     * version, off the request thread; see {@link ModelCatalog#checkpointsHashed()}). {@code type} is sdfleet's
     * addition, which A1111 clients ignore: sd1, sd2, sdxl or sdxl-refiner, read from the checkpoint's keys.
     */
    @GetMapping("/sd-models")
    public List<Map<String, Object>> sdModels() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelCatalog.Model m : models.checkpointsHashed()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("title", m.title());
            entry.put("model_name", m.stem());
            entry.put("hash", m.modelHash());
            entry.put("sha256", m.sha256());
            entry.put("filename", m.filename());
            entry.put("config", null);
            entry.put("type", models.architectureOf(m).id());
            out.add(entry);
        }
        return out;
    }
}
