package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.sampling.SamplerSpec;
import io.sdfleet.diffusion.sampling.Scheduler;
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
 * networks, samplers, schedulers, styles), in A1111's shapes, and the refresh calls that rescan them.
 */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111ListingsController {

    private final ModelCatalog models;
    private final PromptStyles styles;

    public A1111ListingsController(ModelCatalog models, PromptStyles styles) {
        this.models = models;
        this.styles = styles;
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
     * A1111's shape: {@code {"loaded": {name: {step, sd_checkpoint, sd_checkpoint_name, shape, vectors}}, "skipped": {}}}.
     * The gateway does not open embedding files, so what only the file tells (shape, vectors, training step) is null.
     */
    @GetMapping("/embeddings")
    public Map<String, Object> embeddings() {
        Map<String, Object> loaded = new LinkedHashMap<>();
        for (ModelCatalog.Model m : models.of("embedding")) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("step", null);
            entry.put("sd_checkpoint", null);
            entry.put("sd_checkpoint_name", null);
            entry.put("shape", null);
            entry.put("vectors", null);
            entry.put("sha256", m.sha256());
            loaded.putIfAbsent(m.stem(), entry);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("loaded", loaded);
        out.put("skipped", Map.of());
        return out;
    }

    /** The registry listing is remembered a few seconds; these make new uploads visible at once. */
    @PostMapping({"/refresh-checkpoints", "/refresh-vae", "/refresh-loras", "/refresh-embeddings"})
    public ResponseEntity<Void> refreshModels() {
        models.refresh();
        return ResponseEntity.ok().build();
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

    @GetMapping("/sd-models")
    public List<Map<String, Object>> sdModels() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelCatalog.Model m : models.checkpoints()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("title", m.title());
            entry.put("model_name", m.stem());
            entry.put("hash", m.modelHash());
            entry.put("sha256", m.sha256());
            entry.put("filename", m.filename());
            entry.put("config", null);
            out.add(entry);
        }
        return out;
    }
}
