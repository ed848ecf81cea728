package io.sdfleet.gateway.a1111;

import io.sdfleet.gateway.GatewayProperties;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A1111's routes about the server itself, answered for this deployment: {@code /cmd-flags} (A1111's flag names,
 * describing the fleet), {@code /scripts}, {@code /script-info} and {@code /extensions} (the fleet runs no A1111
 * scripts or extensions: empty), and {@code /unload-checkpoint} / {@code /reload-checkpoint}, which in A1111 move
 * the one model off and back onto the GPU; here models live on the workers, each with its own bounded cache, so
 * these are accepted and do nothing ({@code {}}, as A1111 answers).
 */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111ServerInfoController {

    private final GatewayProperties properties;
    private final Environment environment;

    public A1111ServerInfoController(GatewayProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    /**
     * The flags A1111 clients read, named as A1111's argparse {@code dest}s, with values for this deployment: the
     * API is on and there is no Gradio UI ({@code api}, {@code nowebui} true), {@code listen} when the gateway binds
     * all addresses, its {@code port}, the models folders; {@code api_auth} is never a password (A1111 shows its
     * "user:password" list): null when authentication is off, else a marker that users and keys are required.
     * Flags for A1111 features the fleet lacks are their A1111 defaults (false/null).
     */
    @GetMapping("/cmd-flags")
    public Map<String, Object> cmdFlags() {
        Path models = properties.modelsDir() == null ? null : properties.modelsDir().toAbsolutePath().normalize();
        String address = environment.getProperty("server.address");
        boolean auth = environment.getProperty("sdfleet.gateway.auth.enabled", Boolean.class, true);
        Integer port = environment.getProperty("local.server.port", Integer.class,
                environment.getProperty("server.port", Integer.class, 8080));
        String styles = environment.getProperty("sdfleet.gateway.styles-file", "");
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("api", true);
        flags.put("nowebui", true);
        flags.put("listen", address == null || address.equals("0.0.0.0") || address.equals("::"));
        flags.put("port", port);
        flags.put("server_name", address);
        flags.put("api_auth", auth ? "(sdfleet users: API key or user:password)" : null);
        flags.put("api_log", false);
        flags.put("api_server_stop", false);
        flags.put("gradio_auth", null);
        flags.put("share", false);
        flags.put("cors_allow_origins", null);
        flags.put("cors_allow_origins_regex", null);
        flags.put("tls_keyfile", null);
        flags.put("tls_certfile", null);
        flags.put("subpath", null);
        flags.put("data_dir", models == null ? null : str(models.getParent()));
        flags.put("ckpt_dir", str(models));
        flags.put("ckpt", properties.defaultModel() == null || properties.defaultModel().isBlank() || models == null
                ? null : str(models.resolve(properties.defaultModel())));
        flags.put("vae_dir", str(models == null ? null : models.resolve("VAE")));
        flags.put("vae_path", null);
        flags.put("lora_dir", str(models == null ? null : models.resolve("Lora")));
        flags.put("embeddings_dir", str(models == null ? null : models.resolve("embeddings")));
        flags.put("hypernetwork_dir", str(models == null ? null : models.resolve("hypernetworks")));
        flags.put("styles_file", !styles.isBlank() ? List.of(styles)
                : models == null ? List.of() : List.of(str(models.resolve("styles.csv"))));
        flags.put("no_hashing", false);
        flags.put("no_half", false);
        flags.put("no_half_vae", false);
        flags.put("medvram", false);
        flags.put("medvram_sdxl", false);
        flags.put("lowvram", false);
        flags.put("lowram", false);
        flags.put("xformers", false);
        flags.put("opt_sdp_attention", false);
        flags.put("use_cpu", List.of());
        flags.put("device_id", null);
        flags.put("precision", "autocast");
        flags.put("enable_insecure_extension_access", false);
        flags.put("disable_all_extensions", true);
        flags.put("skip_torch_cuda_test", false);
        flags.put("freeze_settings", false);
        flags.put("hide_ui_dir_config", true);
        flags.put("ui_debug_mode", false);
        flags.put("disable_safe_unpickle", false);
        flags.put("administrator", false);
        return flags;
    }

    /** A1111's {@code {txt2img: [names], img2img: [names]}}: no scripts (script_name is refused by name). */
    @GetMapping("/scripts")
    public Map<String, Object> scripts() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("txt2img", List.of());
        out.put("img2img", List.of());
        return out;
    }

    /** A1111's {@code [{name, is_alwayson, is_img2img, args}]}: no scripts. */
    @GetMapping("/script-info")
    public List<Map<String, Object>> scriptInfo() {
        return List.of();
    }

    /** A1111's {@code [{name, remote, branch, commit_hash, version, commit_date, enabled}]}: no extensions. */
    @GetMapping("/extensions")
    public List<Map<String, Object>> extensions() {
        return List.of();
    }

    /** A no-op here: each worker keeps its own bounded model cache (evicting least recently used models). */
    @PostMapping("/unload-checkpoint")
    public Map<String, Object> unloadCheckpoint() {
        return Map.of();
    }

    /** A no-op here: a worker loads the checkpoint a job names when it takes the job. */
    @PostMapping("/reload-checkpoint")
    public Map<String, Object> reloadCheckpoint() {
        return Map.of();
    }

    private static String str(Path p) {
        return p == null ? null : p.toString();
    }
}
