package io.sdfleet.gateway.a1111;

import io.sdfleet.gateway.api.Callers;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A1111's settings, per user: {@code GET /sdapi/v1/options} lists A1111's keys with the caller's values, and
 * {@code POST} takes any subset (the whole dict read from GET included) and keeps it for that caller alone. The
 * generation settings among them ({@link A1111Request#GENERATION_SETTINGS}: checkpoint, VAE, clip skip, noise) become
 * the defaults of the caller's later requests, which {@code override_settings} still beats. A1111 answers a POST with
 * {@code null}; keys A1111 does not have are ignored and listed in {@value IgnoredFields#HEADER}.
 */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111OptionsController {

    private final ModelCatalog models;
    private final UserOptions userOptions;

    public A1111OptionsController(ModelCatalog models, UserOptions userOptions) {
        this.models = models;
        this.userOptions = userOptions;
    }

    @GetMapping("/options")
    public Map<String, Object> options(HttpServletRequest http) {
        Map<String, JsonNode> saved = userOptions.of(Callers.of(http));
        Map<String, Object> options = new LinkedHashMap<>(A1111Options.DEFAULTS);
        saved.forEach((key, value) -> {
            if (options.containsKey(key)) {
                options.put(key, value);
            }
        });
        String model = Optional.ofNullable(saved.get("sd_model_checkpoint")).map(JsonNode::asString)
                .flatMap(models::resolve).orElse(models.defaultModel());
        // the title as /sd-models lists it ("name [hash]"): clients (SillyTavern, webuiapi) match one against the other,
        // so a local file not hashed yet is waited for as /sd-models waits, not answered by its bare name
        Optional<ModelCatalog.Model> checkpoint = models.checkpointsHashed().stream().filter(m -> m.name().equals(model))
                .findFirst();
        options.put("sd_model_checkpoint", checkpoint.map(ModelCatalog.Model::title).orElse(model));
        options.put("sd_checkpoint_hash", checkpoint.map(ModelCatalog.Model::sha256).orElse(null));
        return options;
    }

    @PostMapping("/options")
    public ResponseEntity<JsonNode> setOptions(@RequestBody JsonNode body, HttpServletRequest http) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException(List.of(new FieldProblem("body", "must be a JSON object of settings")), false);
        }
        List<FieldProblem> bad = new ArrayList<>();
        List<FieldProblem> unsupported = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        Map<String, JsonNode> changes = new LinkedHashMap<>();
        for (String key : body.propertyNames()) {
            JsonNode value = body.get(key);
            if (!A1111Options.DEFAULTS.containsKey(key)) {
                ignored.add(key);
            } else if (!A1111Options.DERIVED.contains(key)) {
                checked(key, value, bad, unsupported).ifPresent(v -> changes.put(key, v));
            }
        }
        if (!bad.isEmpty()) {
            throw new InvalidRequestException(bad, false);
        }
        if (!unsupported.isEmpty()) {
            throw new InvalidRequestException(unsupported, true);
        }
        if (!changes.isEmpty()) {
            userOptions.save(Callers.of(http), changes);
        }
        return ResponseEntity.ok().headers(IgnoredFields.header(ignored)).contentType(MediaType.APPLICATION_JSON)
                .body(JsonNodeFactory.instance.nullNode());
    }

    /** The value to keep for a setting, coerced as A1111 would, or empty after recording why it cannot be kept. */
    private Optional<JsonNode> checked(String key, JsonNode value, List<FieldProblem> bad, List<FieldProblem> unsupported) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value == null || value.isNull()) {
            return Optional.of(nodes.nullNode());
        }
        switch (key) {
            case "sd_model_checkpoint" -> {
                Optional<String> name = Fields.asText(value).flatMap(models::resolve);
                if (name.isEmpty()) {
                    bad.add(new FieldProblem(key, "model '" + value.asString() + "' not found (see /sdapi/v1/sd-models)"));
                }
                return name.map(nodes::stringNode);
            }
            case "sd_vae" -> {
                Optional<String> text = Fields.asText(value);
                if (text.isPresent() && List.of("Automatic", "None").contains(text.get())) {
                    return text.map(nodes::stringNode);
                }
                Optional<String> vae = text.flatMap(models::resolveVae);
                if (vae.isEmpty()) {
                    bad.add(new FieldProblem(key, "VAE '" + value.asString() + "' not found (see /sdapi/v1/sd-vae)"));
                }
                return vae.map(nodes::stringNode);
            }
            case "CLIP_stop_at_last_layers" -> {
                return integer(key, value, 1, 12, bad);
            }
            case "eta_noise_seed_delta" -> {
                return integer(key, value, 0, 0xFFFFFFFFL, bad);
            }
            case "randn_source" -> {
                String source = Fields.asText(value).orElse("").trim().toUpperCase(Locale.ROOT);
                if (source.equals("GPU")) {
                    unsupported.add(new FieldProblem(key, "GPU noise depends on the worker's device; use NV for A1111's"
                            + " NVIDIA-GPU noise on any device"));
                } else if (!source.equals("CPU") && !source.equals("NV")) {
                    bad.add(new FieldProblem(key, "must be CPU or NV"));
                } else {
                    return Optional.of(nodes.stringNode(source));
                }
                return Optional.empty();
            }
            default -> {
                Object sample = A1111Options.DEFAULTS.get(key);
                Optional<JsonNode> coerced = switch (sample) {
                    case Boolean b -> Fields.asBoolean(value).map(nodes::booleanNode);
                    case Integer i -> Fields.asInteger(value)
                            .map(d -> (JsonNode) nodes.numberNode(d.toBigIntegerExact()));
                    case Number n -> Fields.asNumber(value).map(d -> (JsonNode) nodes.numberNode(d.doubleValue()));
                    case String s -> Fields.asText(value).map(t -> (JsonNode) nodes.stringNode(t));
                    case null -> Optional.of(value);
                    default -> Optional.of(value);
                };
                if (coerced.isEmpty()) {
                    bad.add(new FieldProblem(key, "must be like " + sample));
                }
                return coerced;
            }
        }
    }

    private static Optional<JsonNode> integer(String key, JsonNode value, long min, long max, List<FieldProblem> bad) {
        Optional<BigDecimal> n = Fields.asInteger(value, min, max);
        if (n.isEmpty()) {
            bad.add(new FieldProblem(key, "must be an integer from " + min + " to " + max));
            return Optional.empty();
        }
        return Optional.of(JsonNodeFactory.instance.numberNode(n.get().toBigIntegerExact()));
    }
}
